"""The Open Badges 3.0 REST API (``/ims/ob/v3p0/``): discovery, dynamic client registration,
OAuth 2.0 through django-oauth-toolkit, the learner's credentials (read, and upsert into the
careers wallet after verification) and profile. ADR 0045."""
