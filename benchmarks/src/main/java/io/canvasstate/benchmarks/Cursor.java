package io.canvasstate.benchmarks;

/** A user's presence on a canvas: about 150 bytes of JSON. Immutable. */
public record Cursor(String userId, String name, String color, String projectId, double x,
    double y, String tool, long lastSeen) {}
