package io.canvasstate.spring;

import io.canvasstate.contract.PublicApiContract;

/** This module's public API against its checked-in listing, {@code api/canvasstate-spring-boot-starter.txt}. */
class PublicApiTest extends PublicApiContract {}
