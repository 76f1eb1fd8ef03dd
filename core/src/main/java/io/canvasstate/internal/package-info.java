/**
 * Implementation pieces shared by the CanvasState modules; not API, exported only to them.
 */
@NullMarked
package io.canvasstate.internal;

import org.jspecify.annotations.NullMarked;
