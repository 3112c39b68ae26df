"""CACHE_URL picks the cache, and a Redis cache makes the verification throttle count across
processes (every gunicorn worker), where the per-process default would count each apart."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from microcred.config.settings.base import cache_from_url

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_locmem_and_redis_urls_choose_their_backends():
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url(REDIS_URL)
    assert redis == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}


def test_an_unknown_cache_url_says_what_to_set():
    with pytest.raises(ImproperlyConfigured, match="Set CACHE_URL to locmem:// or redis://"):
        cache_from_url("memcached://127.0.0.1:11211")


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_a_redis_cache_shares_the_anonymous_verification_limit(settings, client):
    settings.CACHES = {"default": cache_from_url(REDIS_URL)}
    settings.MICROCRED_VERIFY_RATE = "3/d"  # a day: no window boundary mid-test
    caches.close_all()
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"  # fresh per run: Redis outlives the test
    try:
        answers = [
            client.post(
                "/api/v1/verify", {"credential": "{}"}, content_type="application/json", REMOTE_ADDR=address
            ).status_code
            for _ in range(4)
        ]
        assert answers[:3] == [200, 200, 200]
        assert answers[3] == 429
        keys = caches["default"]._cache.get_client().keys("*")  # what another process would read
        assert keys
    finally:
        caches["default"].clear()
        caches.close_all()
