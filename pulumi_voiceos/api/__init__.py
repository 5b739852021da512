"""The VoiceOS API: the HTTP client, pacing under the rate limit, and one listing of the account."""
