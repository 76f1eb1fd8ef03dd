package io.canvasstate.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The registries a binder is bound to, and what it registers in each: meters registered now in
 * every bound registry and, as registries are bound later, in those too. Unlike a
 * {@code CompositeMeterRegistry}, which warns when a registry joins it after meters, binding
 * late is this binder's normal case (stores are wrapped before Spring binds the registries).
 * Thread-safe.
 */
final class Registries {
  private final List<MeterRegistry> bound = new CopyOnWriteArrayList<>();
  private final List<Consumer<MeterRegistry>> registrars = new ArrayList<>();

  /** Binds {@code registry}: everything registered so far is registered in it too. */
  synchronized void bind(MeterRegistry registry) {
    if (bound.contains(registry)) {
      return;
    }
    bound.add(registry);
    for (Consumer<MeterRegistry> registrar : registrars) {
      registrar.accept(registry);
    }
  }

  /** Runs {@code registrar} on every bound registry, now and on those bound later. */
  synchronized void register(Consumer<MeterRegistry> registrar) {
    registrars.add(registrar);
    for (MeterRegistry registry : bound) {
      registrar.accept(registry);
    }
  }

  /**
   * A meter per bound registry, now and later, handed to {@code sink} as each is made: for the
   * meters on a hot path, which keep them instead of looking them up on every call.
   */
  <M> void each(Function<MeterRegistry, M> meter, Consumer<M> sink) {
    register(registry -> sink.accept(meter.apply(registry)));
  }

  /**
   * The registries bound now, for meters registered when something happens (a transition, an
   * error): what happened before a registry was bound is not in it.
   */
  List<MeterRegistry> bound() {
    return bound;
  }
}
