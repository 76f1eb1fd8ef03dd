package io.canvasstate;

import io.canvasstate.contract.PublicApiContract;

/** This module's public API against its checked-in listing, {@code api/canvasstate-core.txt}. */
class PublicApiTest extends PublicApiContract {}
