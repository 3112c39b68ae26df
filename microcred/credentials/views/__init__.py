"""Public hosting endpoints (machine-readable documents) and the credential pages."""
