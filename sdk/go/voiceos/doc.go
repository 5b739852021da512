// Bind VoiceOS phone numbers to inbound agents and webhooks.
package voiceos
