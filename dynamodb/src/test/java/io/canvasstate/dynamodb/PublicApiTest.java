package io.canvasstate.dynamodb;

import io.canvasstate.contract.PublicApiContract;

/** This module's public API against its checked-in listing, {@code api/canvasstate-dynamodb.txt}. */
class PublicApiTest extends PublicApiContract {}
