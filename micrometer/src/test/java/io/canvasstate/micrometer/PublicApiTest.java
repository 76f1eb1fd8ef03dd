package io.canvasstate.micrometer;

import io.canvasstate.contract.PublicApiContract;

/** This module's public API against its checked-in listing, {@code api/canvasstate-micrometer.txt}. */
class PublicApiTest extends PublicApiContract {}
