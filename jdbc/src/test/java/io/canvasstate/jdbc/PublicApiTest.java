package io.canvasstate.jdbc;

import io.canvasstate.contract.PublicApiContract;

/** This module's public API against its checked-in listing, {@code api/canvasstate-jdbc.txt}. */
class PublicApiTest extends PublicApiContract {}
