"""The demo data set: three providers' catalogs, an accreditor, an employer and people at work.

Everything goes through the services a person would use (sign-up, organisation founding,
accreditation, catalog import, enrolment, lessons, quiz attempts graded on the server,
credential issuing, revocation and suspension), so the demo exercises the real write path and
its audit trail. Loading is idempotent: each step looks for what it would create and leaves
existing records alone, so running it again duplicates nothing and never resets what someone
changed while trying the site.

The learners hold credentials in every state a verifier can meet: valid, revoked, suspended
and expired. The expired one is real: its learner's whole history (enrolment, lessons, quiz
attempts, completion, issuing) is replayed through the services with the clock set back, so
every date agrees and the signed ``validUntil`` has passed.

Entry point: ``loader.demo_load`` (the ``microcred demo`` command). This module imports nothing,
because Django imports it while the app registry is still loading.
"""
