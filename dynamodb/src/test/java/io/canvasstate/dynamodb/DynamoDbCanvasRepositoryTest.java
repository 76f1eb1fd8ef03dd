package io.canvasstate.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.Codec;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.contract.CanvasRepositoryContract;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.redis.testing.FreePorts;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** The repository contract, and the table design, on a real dynalite. */
class DynamoDbCanvasRepositoryTest extends CanvasRepositoryContract {
  @RegisterExtension
  static final DynaliteServer dynalite = new DynaliteServer();

  private static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);
  private static final ExecutorService THREADS = Executors.newCachedThreadPool();
  private static DynamoDbConfig shared;

  @AfterAll
  static void stopThreads() {
    THREADS.shutdownNow();
  }

  /** Every contract test uses one table (they use their own project ids). */
  @Override
  protected <T> CanvasRepository<T> newRepository(Codec<T> codec) {
    synchronized (DynamoDbCanvasRepositoryTest.class) {
      if (shared == null) {
        shared = dynalite.config("contract");
      }
    }
    return DynamoDbCanvasRepository.builder(codec).config(shared)
        .credentials(dynalite.credentials()).build();
  }

  private <T> DynamoDbCanvasRepository<T> repository(String table, Codec<T> codec) {
    return closeAfterTest(DynamoDbCanvasRepository.builder(codec).config(dynalite.config(table))
        .credentials(dynalite.credentials()).build());
  }

  /** Every item of a project, by sort key, as the raw attribute map. */
  private static Map<String, Map<String, AttributeValue>> items(String table, String projectId) {
    try (DynamoDbClient client = dynalite.client()) {
      Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
      client.queryPaginator(r -> r.tableName(table).consistentRead(true)
          .keyConditionExpression("project_id = :p")
          .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(projectId))))
          .items().forEach(item -> items.put(item.get("object_id").s(), item));
      return items;
    }
  }

  @Test
  void save_upsertAndDelete_writeOneItemPerObjectATombstoneAndTheFenceItem() {
    DynamoDbCanvasRepository<TestShape> repo = repository("items", SHAPES);
    repo.save(new ProjectChanges<>("board-1", 77, Map.of("a", new TestShape("a", 1, 2)),
        Set.of()));

    repo.save(new ProjectChanges<>("board-1", 78, Map.of("b", new TestShape("b", 3, 4)),
        Set.of("a")));

    Map<String, Map<String, AttributeValue>> items = items(repo.table(), "board-1");
    assertThat(items).containsOnlyKeys("a", "b", "{fence}");
    assertThat(items.get("{fence}")).containsOnlyKeys("project_id", "object_id", "fence")
        .containsEntry("fence", AttributeValue.fromN("78"));
    assertThat(items.get("b")).containsOnlyKeys("project_id", "object_id", "value", "fence")
        .containsEntry("value",
            AttributeValue.fromS("{\"id\":\"b\",\"kind\":\"rect\",\"x\":3,\"y\":4,\"tags\":[]}"))
        .containsEntry("fence", AttributeValue.fromN("78"));
    assertThat(items.get("a")).as("a tombstone")
        .containsOnlyKeys("project_id", "object_id", "fence", "expires_at")
        .containsEntry("fence", AttributeValue.fromN("78"));
    assertThat(repo.load("board-1")).containsOnlyKeys("b");
  }

  @Test
  void save_objectOverTheItemLimit_throwsNamingProjectObjectAndSizeAndWritesNothing() {
    DynamoDbCanvasRepository<String> repo = repository("too_big", Codec.string());
    String big = "\"" + "x".repeat(410_000) + "\"";

    assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p", 5,
        Map.of("big", big, "small", "1"), Set.of())))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("\"p\"")
        .hasMessageContaining("\"big\"")
        .hasMessageContaining("4100")
        .hasMessageContaining("409600")
        .hasMessageContaining(repo.table());

    assertThat(items(repo.table(), "p")).as("not even the fence item").isEmpty();
  }

  @Test
  void save_objectIdOverTheSortKeyLimit_throwsNamingItAndWritesNothing() {
    DynamoDbCanvasRepository<String> repo = repository("long_id", Codec.string());
    String id = "\u6f22".repeat(400); // 400 chars, a valid id, but 1,200 bytes

    assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p", 5, Map.of(id, "1"), Set.of())))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(id)
        .hasMessageContaining("1200 bytes");
    assertThat(items(repo.table(), "p")).isEmpty();
  }

  @Test
  void load_canvasLargerThanOneQueryPage_readsEveryPageWithConsistentReads() {
    List<QueryRequest> queries = new CopyOnWriteArrayList<>();
    ExecutionInterceptor recordQueries = new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context,
          ExecutionAttributes attributes) {
        if (context.request() instanceof QueryRequest q) {
          queries.add(q);
        }
      }
    };
    try (DynamoDbClient client = dynalite.client(recordQueries)) {
      DynamoDbCanvasRepository<String> repo = closeAfterTest(DynamoDbCanvasRepository
          .builder(Codec.string()).config(dynalite.config("pages")).client(client).build());
      Map<String, String> objects = new HashMap<>();
      for (int i = 0; i < 30; i++) {
        objects.put("o" + i, "\"" + Integer.toString(i).repeat(60_000 / 2) + "\"");
      }
      repo.save(new ProjectChanges<>("p", 1, objects, Set.of()));

      Map<String, String> loaded = repo.load("p");

      assertThat(loaded).isEqualTo(objects);
      assertThat(queries).as("1.8 MB take two pages of at most 1 MB").hasSizeGreaterThan(1)
          .allSatisfy(q -> assertThat(q.consistentRead()).isTrue());
    }
  }

  /**
   * A save that passed its fence check and then stalls (a paused process) while a newer save
   * writes and deletes the same objects: when it goes on, every write it makes is refused.
   */
  @Test
  void save_stalledAfterItsFenceCheck_neitherOverwritesNorResurrectsANewerSave()
      throws Exception {
    CountDownLatch stalled = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    ExecutionInterceptor stallFence10 = new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context,
          ExecutionAttributes attributes) {
        if (context.request() instanceof PutItemRequest put
            && put.item().get("fence").n().equals("10")) {
          stalled.countDown();
          try {
            release.await(1, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    DynamoDbConfig config = dynalite.config("stalled");
    DynamoDbCanvasRepository<TestShape> newer = closeAfterTest(DynamoDbCanvasRepository
        .builder(SHAPES).config(config).credentials(dynalite.credentials()).build());
    newer.save(new ProjectChanges<>("p", 5, Map.of("a", new TestShape("a", 5, 5),
        "b", new TestShape("b", 5, 5)), Set.of()));
    try (DynamoDbClient client = dynalite.client(stallFence10)) {
      DynamoDbCanvasRepository<TestShape> slow = closeAfterTest(DynamoDbCanvasRepository
          .builder(SHAPES).config(config).client(client).build());
      Future<Boolean> late = THREADS.submit(() -> slow.save(new ProjectChanges<>("p", 10,
          Map.of("a", new TestShape("a", 10, 10), "b", new TestShape("b", 10, 10)), Set.of())));
      assertThat(stalled.await(1, TimeUnit.MINUTES)).as("both writes stalled").isTrue();

      newer.save(new ProjectChanges<>("p", 11, Map.of("a", new TestShape("a", 11, 11)),
          Set.of("b")));
      release.countDown();

      assertThat(late.get(1, TimeUnit.MINUTES)).as("applied, then superseded per object")
          .isTrue();
    }
    assertThat(newer.load("p")).containsExactlyEntriesOf(Map.of("a", new TestShape("a", 11, 11)));
  }

  @Test
  void purgeTombstones_pastRetention_removesOnlyThoseTombstones() {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    DynamoDbConfig config = dynalite.config("purge").toBuilder()
        .tombstoneRetention(Duration.ofDays(1)).build();
    DynamoDbCanvasRepository<TestShape> repo = closeAfterTest(DynamoDbCanvasRepository
        .builder(SHAPES).config(config).credentials(dynalite.credentials())
        .clock(now::get).build());
    TestShape s = new TestShape("s", 1, 1);
    repo.save(new ProjectChanges<>("p", 1, Map.of("a", s, "b", s, "c", s), Set.of()));
    repo.save(new ProjectChanges<>("p", 2, Map.of(), Set.of("a", "b")));
    repo.save(new ProjectChanges<>("p", 3, Map.of("b", s), Set.of()));

    int early = repo.purgeTombstones("p");
    now.set(now.get().plus(Duration.ofDays(1)).plusSeconds(1));
    int due = repo.purgeTombstones("p");

    assertThat(early).isZero();
    assertThat(due).isEqualTo(1);
    assertThat(items(repo.table(), "p")).containsOnlyKeys("b", "c", "{fence}");
    assertThat(repo.load("p")).containsOnlyKeys("b", "c");
  }

  @Test
  void saveAndLoad_tableThatDoesNotExist_throwNamingProjectAndTable() {
    DynamoDbConfig config = dynalite.config("missing").toBuilder().createTable(false).build();
    DynamoDbCanvasRepository<TestShape> repo = closeAfterTest(DynamoDbCanvasRepository
        .builder(SHAPES).config(config).credentials(dynalite.credentials()).build());

    assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p", 1,
        Map.of("a", new TestShape("a", 1, 1)), Set.of())))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("\"p\"")
        .hasMessageContaining(config.table());
    assertThatThrownBy(() -> repo.load("p"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(config.table());
  }

  @Test
  void createTable_again_isANoOpOnAnOnDemandTableAndKeepsTheItems() {
    DynamoDbCanvasRepository<TestShape> repo = repository("twice", SHAPES);
    repo.save(new ProjectChanges<>("p", 1, Map.of("a", new TestShape("a", 1, 1)), Set.of()));

    repo.createTable();

    assertThat(repo.load("p")).containsOnlyKeys("a");
    try (DynamoDbClient client = dynalite.client()) {
      TableDescription table = client.describeTable(r -> r.tableName(repo.table())).table();
      assertThat(table.keySchema())
          .extracting(k -> k.attributeName() + " " + k.keyTypeAsString())
          .containsExactly("project_id HASH", "object_id RANGE");
      assertThat(table.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
    }
  }

  @Test
  void saveAndLoad_afterClose_throwIllegalState() {
    DynamoDbCanvasRepository<TestShape> repo = repository("closed", SHAPES);
    repo.close();

    assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p", 1,
        Map.of("a", new TestShape("a", 1, 1)), Set.of())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(repo.table());
    assertThatThrownBy(() -> repo.load("p"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void createTable_existingTableWithOtherKeys_throwsNamingTheTable() {
    DynamoDbConfig config = dynalite.config("other_keys");
    try (DynamoDbClient client = dynalite.client()) {
      client.createTable(r -> r.tableName(config.table())
          .billingMode(BillingMode.PAY_PER_REQUEST)
          .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
              .attributeType(ScalarAttributeType.S).build())
          .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH)
              .build()));
    }

    assertThatThrownBy(() -> DynamoDbCanvasRepository.builder(SHAPES).config(config)
        .credentials(dynalite.credentials()).build())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(config.table())
        .hasMessageContaining("project_id (partition key) and object_id (sort key)");
  }

  /**
   * DynamoDB's answer to a request over the table's throughput, from a loopback HTTP server that
   * gives no other answer: the SDK retries it with backoff, a bounded number of times.
   */
  @Test
  void save_throttledOnEveryAttempt_throwsUnavailableAfterMaxAttempts() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer throttling = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    throttling.createContext("/", exchange -> {
      requests.incrementAndGet();
      byte[] body = ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
          + "ProvisionedThroughputExceededException\",\"message\":\"over the throughput\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
      exchange.sendResponseHeaders(400, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    throttling.start();
    try {
      DynamoDbConfig config = dynalite.config("throttled").toBuilder()
          .endpoint(URI.create("http://127.0.0.1:" + throttling.getAddress().getPort()))
          .createTable(false).maxAttempts(3).build();
      DynamoDbCanvasRepository<TestShape> repo = closeAfterTest(DynamoDbCanvasRepository
          .builder(SHAPES).config(config).credentials(dynalite.credentials()).build());

      assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p", 1,
          Map.of("a", new TestShape("a", 1, 1)), Set.of())))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("\"p\"")
          .hasMessageContaining(config.table())
          .hasMessageContaining("over the throughput");
      assertThat(requests.get()).as("attempts").isEqualTo(3);
    } finally {
      throttling.stop(0);
    }
  }

  /** A server that takes the connection and never answers: each attempt times out. */
  @Test
  void load_serverThatNeverAnswers_throwsUnavailableAfterTheTimeouts() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      DynamoDbConfig config = dynalite.config("silent").toBuilder()
          .endpoint(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
          .createTable(false).maxAttempts(2).timeout(Duration.ofMillis(300)).build();
      DynamoDbCanvasRepository<TestShape> repo = closeAfterTest(DynamoDbCanvasRepository
          .builder(SHAPES).config(config).credentials(dynalite.credentials()).build());

      assertThatThrownBy(() -> repo.load("p"))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("\"p\"")
          .hasMessageContaining(config.table());
    }
  }

  @Test
  void saveAndLoad_unreachableEndpoint_throwUnavailableNamingTableNotCredentials() {
    DynamoDbConfig config = dynalite.config("unreachable").toBuilder()
        .endpoint(URI.create("http://127.0.0.1:" + FreePorts.next()))
        .createTable(false).maxAttempts(2).timeout(Duration.ofSeconds(1)).build();
    DynamoDbCanvasRepository<TestShape> repo = closeAfterTest(DynamoDbCanvasRepository
        .builder(SHAPES).config(config).credentials(dynalite.credentials()).build());

    assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p", 1,
        Map.of("a", new TestShape("a", 1, 1)), Set.of())))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("\"p\"")
        .hasMessageContaining(config.table())
        .hasMessageContaining("Attempt Count: 2")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(DynaliteServer.SECRET));
    assertThatThrownBy(() -> repo.load("p"))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(config.table());
    assertThat(repo + " " + config).doesNotContain(DynaliteServer.SECRET);
  }

  @Test
  void fromEnv_settingsAndDefaultCredentialChain_reachTheTable() {
    DynamoDbConfig config = dynalite.config("from_env");
    Map<String, String> properties = Map.of(
        "DYNAMODB_TABLE", config.table(),
        "AWS_REGION", "eu-west-1",
        "DYNAMODB_ENDPOINT", dynalite.endpoint().toString(),
        "DYNAMODB_CREATE_TABLE", "true",
        "aws.accessKeyId", "canvasstate-env",
        "aws.secretAccessKey", DynaliteServer.SECRET);
    properties.forEach(System::setProperty);
    try (DynamoDbCanvasRepository<TestShape> repo = DynamoDbCanvasRepository.fromEnv(SHAPES)) {
      repo.save(new ProjectChanges<>("p", 1, Map.of("a", new TestShape("a", 1, 1)), Set.of()));

      assertThat(repo.table()).isEqualTo(config.table());
      assertThat(repo.load("p")).containsOnlyKeys("a");
      assertThat(repo.toString()).doesNotContain(DynaliteServer.SECRET);
    } finally {
      properties.keySet().forEach(System::clearProperty);
    }
  }
}
