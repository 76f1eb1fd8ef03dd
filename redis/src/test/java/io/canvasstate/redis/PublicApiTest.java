package io.canvasstate.redis;

import io.canvasstate.contract.PublicApiContract;

/** This module's public API against its checked-in listing, {@code api/canvasstate-redis.txt}. */
class PublicApiTest extends PublicApiContract {}
