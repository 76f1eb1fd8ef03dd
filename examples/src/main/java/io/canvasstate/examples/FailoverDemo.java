package io.canvasstate.examples;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.examples.QuickStart.Shape;
import io.canvasstate.failover.ConflictEvent;
import io.canvasstate.failover.DroppedEvent;
import io.canvasstate.failover.FailoverListener;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.failover.TransitionEvent;
import io.canvasstate.redis.RedisStores;

/**
 * Moves a shape once a second for a minute through the failover-wrapped store, and prints each
 * failover transition, conflict and dropped change: stop Redis while it runs (or pause it with
 * {@code kill -STOP}) and start it again to watch the store keep answering, then write back.
 *
 * <p>Needs {@code REDIS_URL} (or another Redis setting); failover settings are read from the
 * environment too ({@code CANVASSTATE_FAILOVER_PROBE_INTERVAL}, ...).
 */
public final class FailoverDemo {
  private FailoverDemo() {}

  public static void main(String[] args) throws InterruptedException {
    Environment env = Environment.read();
    StoreConfig config = env.store();
    if (config.deployment() == StoreConfig.Deployment.NONE || !config.fallbackEnabled()) {
      System.out.println("Set REDIS_URL (and leave CANVASSTATE_FALLBACK on) to run this demo.");
      return;
    }
    try (RedisStores redis = env.redisStores(config)) {
      CanvasStore<Shape> canvas = redis.canvas(JacksonCodec.of(Shape.class));
      FailoverStore failover = redis.failover().orElseThrow();
      failover.addListener(new FailoverListener() {
        @Override
        public void onTransition(TransitionEvent e) {
          System.out.println("  " + e.from() + " -> " + e.to() + " (" + e.reason() + ")"
              + e.cause().map(c -> ": " + c).orElse(""));
        }

        @Override
        public void onConflict(ConflictEvent e) {
          System.out.println("  conflict on " + e.key() + ": kept " + e.storeValue().orElse("none")
              + ", outage value " + e.outageValue().orElse("a delete"));
        }

        @Override
        public void onDropped(DroppedEvent e) {
          System.out.println("  not written back: " + e.key() + " (" + e.reason() + ")");
        }
      });
      String project = "failover-demo";
      for (int second = 0; second < 60; second++) {
        canvas.put(project, "rect-1", new Shape("rect", 10 + second, 10, 120, 80, "#e63946"));
        System.out.println(second + "s: rect-1 at x=" + canvas.get(project, "rect-1")
            .map(Shape::x).orElse(-1) + ", " + failover.state());
        Thread.sleep(1_000);
      }
      System.out.println(failover.stats());
    }
  }
}
