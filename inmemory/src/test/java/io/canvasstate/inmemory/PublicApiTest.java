package io.canvasstate.inmemory;

import io.canvasstate.contract.PublicApiContract;

/** This module's public API against its checked-in listing, {@code api/canvasstate-inmemory.txt}. */
class PublicApiTest extends PublicApiContract {}
