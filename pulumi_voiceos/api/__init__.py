"""LAYER"""
