package io.canvasstate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventHubTest {
  private final List<String> watched = Collections.synchronizedList(new ArrayList<>());
  private final EventHub<String, String> hub = new EventHub<>("test events",
      new EventHub.KeyWatcher<>() {
        @Override
        public void firstListener(String key) {
          watched.add("+" + key);
        }

        @Override
        public void lastListenerGone(String key) {
          watched.add("-" + key);
        }
      });

  @Test
  void publish_toKeyWithListeners_deliversToEachInOrder() {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    hub.subscribe("p", a::add);
    hub.subscribe("p", b::add);

    hub.publish("p", "one");
    hub.publish("p", "two");

    assertThat(a).containsExactly("one", "two");
    assertThat(b).containsExactly("one", "two");
  }

  @Test
  void publish_toOtherKey_isNotDelivered() {
    List<String> got = new ArrayList<>();
    hub.subscribe("p", got::add);

    hub.publish("q", "elsewhere");

    assertThat(got).isEmpty();
  }

  @Test
  void close_subscription_stopsDeliveryAndTellsWatcherOfLastListener() {
    List<String> got = new ArrayList<>();
    Subscription first = hub.subscribe("p", got::add);
    Subscription second = hub.subscribe("p", e -> {});
    hub.publish("p", "before");

    first.close();
    first.close();
    hub.publish("p", "after");
    second.close();

    assertThat(got).containsExactly("before");
    assertThat(first.isActive()).isFalse();
    assertThat(watched).containsExactly("+p", "-p");
    assertThat(hub.hasListeners("p")).isFalse();
  }

  @Test
  void publish_listenerThrows_otherListenersAndLaterEventsStillDelivered() {
    List<String> got = new ArrayList<>();
    hub.subscribe("p", e -> {
      throw new IllegalStateException("listener bug");
    });
    hub.subscribe("p", got::add);

    hub.publish("p", "one");
    hub.publish("p", "two");

    assertThat(got).containsExactly("one", "two");
    assertThat(hub.listenerFailures()).isEqualTo(2);
  }

  @Test
  void publish_fromInsideListener_isDeliveredAfterTheCurrentEvent() {
    List<String> got = new ArrayList<>();
    hub.subscribe("p", e -> {
      got.add("start " + e);
      if (e.equals("outer")) {
        hub.publish("p", "inner");
      }
      got.add("end " + e);
    });

    hub.publish("p", "outer");

    assertThat(got).containsExactly("start outer", "end outer", "start inner", "end inner");
  }

  @Test
  void publishToEach_makesOneEventPerKeyWithListeners() {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    hub.subscribe("p", got::add);
    hub.subscribe("q", got::add);

    hub.publishToEach(key -> "resync " + key);

    assertThat(got).containsExactlyInAnyOrder("resync p", "resync q");
  }

  @Test
  void publish_fromManyThreads_listenerNeverRunsConcurrentlyAndGetsEverything() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    hub.subscribe("p", e -> {
      maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
      got.add(e);
      inside.decrementAndGet();
    });
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    try {
      for (int t = 0; t < 4; t++) {
        int thread = t;
        pool.execute(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          for (int i = 0; i < 500; i++) {
            hub.publish("p", thread + ":" + i);
          }
        });
      }
      start.countDown();
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    hub.drain();

    await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 2000);
    assertThat(maxInside.get()).isEqualTo(1);
    for (int t = 0; t < 4; t++) {
      String prefix = t + ":";
      assertThat(got.stream().filter(e -> e.startsWith(prefix)).toList())
          .isSortedAccordingTo((x, y) -> Integer.compare(
              Integer.parseInt(x.substring(2)), Integer.parseInt(y.substring(2))));
    }
  }

  @Test
  void drain_otherThreadsKeepPublishing_callerDeliversItsOwnPlusABoundedNumber()
      throws Exception {
    int others = 1_000;
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger onWriter = new AtomicInteger();
    CountDownLatch firstDelivered = new CountDownLatch(1);
    CountDownLatch othersQueued = new CountDownLatch(1);
    hub.subscribe("p", e -> {
      got.add(e);
      if (Thread.currentThread().getName().equals("writer")) {
        onWriter.incrementAndGet();
      }
      if (e.equals("mine")) {
        firstDelivered.countDown();
        try {
          othersQueued.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
    });
    Thread writer = new Thread(() -> hub.publish("p", "mine"), "writer");
    writer.start();
    assertThat(firstDelivered.await(20, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < others; i++) {
      hub.publish("q", "other project");
      hub.publish("p", Integer.toString(i));
    }
    othersQueued.countDown();
    writer.join(20_000);

    assertThat(writer.isAlive()).isFalse();
    assertThat(onWriter.get())
        .as("events the writer delivered: its own and a bounded number of others")
        .isEqualTo(1 + EventHub.MAX_OTHERS_PER_DRAIN);
    await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 1 + others);
    List<String> expected = new ArrayList<>(List.of("mine"));
    for (int i = 0; i < others; i++) {
      expected.add(Integer.toString(i));
    }
    assertThat(got).containsExactlyElementsOf(expected);
  }

  @Test
  void subscribe_afterClose_throwsAndExistingSubscriptionsAreInactive() {
    Subscription s = hub.subscribe("p", e -> {});

    hub.close();

    assertThat(s.isActive()).isFalse();
    assertThatThrownBy(() -> hub.subscribe("p", e -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void random_instanceIds_areValidIdsAndDiffer() {
    String a = InstanceIds.random();
    String b = InstanceIds.random();

    assertThat(InstanceIds.require(a)).isEqualTo(a).matches("i-[0-9a-f]{12}");
    assertThat(a).isNotEqualTo(b);
    assertThatThrownBy(() -> InstanceIds.require("bad id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instanceId");
  }
}
