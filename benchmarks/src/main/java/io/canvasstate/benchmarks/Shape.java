package io.canvasstate.benchmarks;

/**
 * A canvas object as a whiteboard stores it: about 450 bytes of JSON. Immutable.
 *
 * @param points the vertices of a free-hand or polygon shape, x and y interleaved
 */
public record Shape(String id, String type, double x, double y, double width, double height,
    double rotation, int zIndex, String fill, String stroke, double strokeWidth, double opacity,
    String text, int fontSize, double[] points, String createdBy, String updatedBy,
    long updatedAt, boolean locked, int version) {}
