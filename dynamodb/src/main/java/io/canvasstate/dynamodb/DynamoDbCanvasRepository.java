package io.canvasstate.dynamodb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A {@link CanvasRepository} in one DynamoDB table, through the AWS SDK for Java v2: the
 * durable store of persistence on DynamoDB.
 *
 * <table>
 *   <caption>Items</caption>
 *   <tr><th>{@code project_id} (partition key)</th><th>{@code object_id} (sort key)</th>
 *       <th>{@code value}</th><th>{@code fence}</th><th>{@code expires_at}</th></tr>
 *   <tr><td>project</td><td>object id</td><td>the object's JSON</td>
 *       <td>of the save that wrote it</td><td>-</td></tr>
 *   <tr><td>project</td><td>id of a deleted object (a tombstone)</td><td>-</td>
 *       <td>of the save that deleted it</td><td>epoch seconds after which it may be purged</td></tr>
 *   <tr><td>project</td><td>{@value #FENCE_ITEM} (never a valid id)</td><td>-</td>
 *       <td>the largest fence applied to the project</td><td>-</td></tr>
 * </table>
 *
 * <p>A save is built from single-item conditional writes, no transaction: first the project's
 * fence item is raised to the save's fence ({@code attribute_not_exists(fence) OR fence <= :f});
 * if it holds a larger one, the save is superseded, writes nothing and returns {@code false}.
 * Then every upsert is a {@code PutItem} of the object and every delete a {@code PutItem} of a
 * tombstone, each under the same condition on the object's own fence, up to
 * {@link DynamoDbConfig#writeConcurrency()} at once. A write whose condition fails has met a
 * newer save's value of that object, which stays. A save interrupted half way has raised the
 * fence and written some objects, each the value recorded for it or a newer one: repeating it
 * (the worker does, at least once) completes it, and a late one can neither overwrite nor
 * resurrect what a newer save wrote or deleted. Loads are a {@code Query} of the partition with
 * consistent reads, page by page, skipping tombstones and the fence item.
 *
 * <p>An item is limited to 400 KB by DynamoDB: a save with an object over it (or an object id
 * over the sort key's 1,024 bytes) throws before it writes anything. Requests are retried by the
 * SDK with exponential backoff ({@link DynamoDbConfig#maxAttempts()} attempts, throttling
 * included); a save or load that still fails throws a {@link StoreException} naming the
 * project and table ({@link StoreUnavailableException} for unreachable, throttled or failing
 * servers), and the worker saves the changes again in a later round.
 *
 * <p>Thread-safe. {@link #close()} closes the client if the repository built it.
 *
 * @param <T> the type of the canvas objects
 */
public final class DynamoDbCanvasRepository<T> implements CanvasRepository<T> {
  /** The sort key of a project's fence item; braces never occur in a valid object id. */
  public static final String FENCE_ITEM = "{fence}";
  /** DynamoDB's limit of one item's size, in bytes. */
  public static final int MAX_ITEM_BYTES = 400 * 1024;
  /** DynamoDB's limit of a sort key's size, in bytes. */
  public static final int MAX_OBJECT_ID_BYTES = 1024;

  static final String PROJECT = "project_id";
  static final String OBJECT = "object_id";
  static final String VALUE = "value";
  static final String FENCE = "fence";
  static final String EXPIRES = "expires_at";

  private static final String FENCE_CONDITION = "attribute_not_exists(#f) OR #f <= :f";
  private static final Map<String, String> FENCE_NAME = Map.of("#f", FENCE);
  private static final Duration TABLE_WAIT = Duration.ofMinutes(2);
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final DynamoDbClient client;
  private final boolean ownsClient;
  private final Codec<T> codec;
  private final DynamoDbConfig config;
  private final String table;
  private final InstantSource clock;
  private final ExecutorService writers;

  private DynamoDbCanvasRepository(Builder<T> b, DynamoDbClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.codec = b.codec;
    this.config = b.config;
    this.table = b.config.table();
    this.clock = b.clock;
    int pool = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(config.writeConcurrency(),
        config.writeConcurrency(), 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "canvasstate-dynamodb-" + pool + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    this.writers = executor;
  }

  /**
   * A repository configured from the environment ({@link DynamoDbConfig#fromEnv()}), with
   * credentials from the SDK's default chain: the table, and {@code AWS_REGION} and
   * {@code DYNAMODB_ENDPOINT} when set.
   *
   * @throws IllegalArgumentException if a setting is invalid (naming it)
   * @throws StoreException if the table was to be created and cannot be
   */
  public static <T> DynamoDbCanvasRepository<T> fromEnv(Codec<T> codec) {
    return builder(codec).config(DynamoDbConfig.fromEnv()).build();
  }

  /** A builder of a repository of objects that {@code codec} encodes. */
  public static <T> Builder<T> builder(Codec<T> codec) {
    return new Builder<>(requireNonNull(codec, "codec"));
  }

  /** The table's name. */
  public String table() {
    return table;
  }

  /**
   * Creates the table if it does not exist (on-demand billing, keys {@code project_id} and
   * {@code object_id}, both strings) and waits until it is active, at most two minutes; what
   * {@link Builder#build()} does when {@link DynamoDbConfig#createTable()} is set.
   *
   * @throws StoreException if it cannot be created or does not become active, or an existing
   *     table has other keys (the message names the table)
   */
  public void createTable() {
    try {
      TableDescription existing = describe();
      if (existing == null) {
        try {
          client.createTable(r -> r.tableName(table)
              .billingMode(BillingMode.PAY_PER_REQUEST)
              .attributeDefinitions(
                  AttributeDefinition.builder().attributeName(PROJECT)
                      .attributeType(ScalarAttributeType.S).build(),
                  AttributeDefinition.builder().attributeName(OBJECT)
                      .attributeType(ScalarAttributeType.S).build())
              .keySchema(
                  KeySchemaElement.builder().attributeName(PROJECT).keyType(KeyType.HASH).build(),
                  KeySchemaElement.builder().attributeName(OBJECT).keyType(KeyType.RANGE)
                      .build()));
        } catch (ResourceInUseException e) {
          // created meanwhile by another instance
        }
      }
      awaitActive();
    } catch (SdkException e) {
      throw failure("cannot create table " + table, e);
    }
  }

  private @Nullable TableDescription describe() {
    try {
      return client.describeTable(r -> r.tableName(table)).table();
    } catch (ResourceNotFoundException e) {
      return null;
    }
  }

  private void awaitActive() {
    long deadline = System.nanoTime() + TABLE_WAIT.toNanos();
    long pauseMillis = 25;
    while (true) {
      TableDescription t = describe();
      if (t != null && t.tableStatus() == TableStatus.ACTIVE) {
        List<KeySchemaElement> expected = List.of(
            KeySchemaElement.builder().attributeName(PROJECT).keyType(KeyType.HASH).build(),
            KeySchemaElement.builder().attributeName(OBJECT).keyType(KeyType.RANGE).build());
        if (!t.keySchema().equals(expected)) {
          throw new StoreException("table " + table + " has the keys " + t.keySchema()
              + ", not project_id (partition key) and object_id (sort key)");
        }
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new StoreException("table " + table + " is not active after " + TABLE_WAIT
            + (t == null ? " (it does not exist)" : " (" + t.tableStatusAsString() + ")"));
      }
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted while waiting for table " + table, e);
      }
      pauseMillis = Math.min(pauseMillis * 2, 1000);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code Query} of the project's partition with consistent reads, followed page by page.
   *
   * @throws StoreException if DynamoDB cannot be read or a value cannot be decoded (the message
   *     names the project and table; {@link StoreUnavailableException} when DynamoDB is
   *     unreachable, throttling or failing)
   * @throws IllegalArgumentException if {@code projectId} is not a valid id
   * @throws IllegalStateException if the repository is closed
   */
  @Override
  public Map<String, T> load(String projectId) {
    KeySchema.requireValidId("projectId", projectId);
    requireOpen();
    QueryRequest query = QueryRequest.builder()
        .tableName(table)
        .consistentRead(true)
        .keyConditionExpression("#p = :p")
        .projectionExpression("#o, #v")
        .expressionAttributeNames(Map.of("#p", PROJECT, "#o", OBJECT, "#v", VALUE))
        .expressionAttributeValues(Map.of(":p", string(projectId)))
        .build();
    Map<String, T> objects = new HashMap<>();
    try {
      for (Map<String, AttributeValue> item : client.queryPaginator(query).items()) {
        AttributeValue value = item.get(VALUE);
        if (value != null) { // else a tombstone or the fence item
          String objectId = item.get(OBJECT).s();
          objects.put(objectId, decode(projectId, objectId, value.s()));
        }
      }
    } catch (SdkException e) {
      throw failure("cannot load project \"" + projectId + "\" from", e);
    }
    return Map.copyOf(objects);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Raises the project's fence item, then writes each object and tombstone with a conditional
   * {@code PutItem}, up to {@link DynamoDbConfig#writeConcurrency()} at once (see the class
   * comment for what an interrupted save leaves).
   *
   * @throws StoreException if an object is over DynamoDB's item limit or its id over the sort
   *     key's (the message names the project, the object and the size; nothing is written), or
   *     DynamoDB fails (the message names the project and table; the save may be partly applied
   *     and is safe to repeat)
   * @throws io.canvasstate.CodecException if the codec cannot encode a value (nothing is written)
   * @throws IllegalStateException if the repository is closed
   */
  @Override
  public boolean save(ProjectChanges<T> changes) {
    requireNonNull(changes, "changes");
    requireOpen();
    String projectId = changes.projectId();
    AttributeValue project = string(projectId);
    AttributeValue fence = number(changes.fence());
    List<PutItemRequest> writes = new ArrayList<>(changes.size());
    changes.upserts().forEach((objectId, object) -> {
      byte[] json = codec.encode(object);
      checkSize(projectId, objectId, json.length);
      writes.add(conditionalPut(Map.of(PROJECT, project, OBJECT, string(objectId),
          VALUE, AttributeValue.fromS(new String(json, UTF_8)), FENCE, fence), fence));
    });
    if (!changes.deletes().isEmpty()) {
      AttributeValue expires =
          number(clock.instant().plus(config.tombstoneRetention()).getEpochSecond());
      for (String objectId : changes.deletes()) {
        checkSize(projectId, objectId, 0);
        writes.add(conditionalPut(Map.of(PROJECT, project, OBJECT, string(objectId),
            FENCE, fence, EXPIRES, expires), fence));
      }
    }
    try {
      if (!raiseFence(project, fence)) {
        return false;
      }
      writeAll(writes);
      return true;
    } catch (SdkException e) {
      throw failure("cannot save project \"" + projectId + "\" to", e);
    }
  }

  /**
   * Deletes the project's tombstones whose retention has ended; each with a conditional
   * {@code DeleteItem} that removes it only if it is still that tombstone. Run it from a
   * maintenance job, or let DynamoDB's Time to Live on {@code expires_at} do it. A tombstone is
   * what keeps a save delayed for longer than its lease from writing back a deleted object, so
   * the retention must be far longer than any save can be delayed.
   *
   * @return how many tombstones were deleted
   * @throws StoreException if DynamoDB fails (the message names the project and table)
   * @throws IllegalArgumentException if {@code projectId} is not a valid id
   * @throws IllegalStateException if the repository is closed
   */
  public int purgeTombstones(String projectId) {
    KeySchema.requireValidId("projectId", projectId);
    requireOpen();
    AttributeValue project = string(projectId);
    QueryRequest query = QueryRequest.builder()
        .tableName(table)
        .consistentRead(true)
        .keyConditionExpression("#p = :p")
        .filterExpression("attribute_not_exists(#v) AND #e <= :now")
        .projectionExpression("#o, #f")
        .expressionAttributeNames(Map.of("#p", PROJECT, "#o", OBJECT, "#v", VALUE, "#e", EXPIRES,
            "#f", FENCE))
        .expressionAttributeValues(Map.of(":p", project,
            ":now", number(clock.instant().getEpochSecond())))
        .build();
    int purged = 0;
    try {
      for (Map<String, AttributeValue> item : client.queryPaginator(query).items()) {
        try {
          client.deleteItem(r -> r.tableName(table)
              .key(Map.of(PROJECT, project, OBJECT, item.get(OBJECT)))
              .conditionExpression("attribute_not_exists(#v) AND #f = :f")
              .expressionAttributeNames(Map.of("#v", VALUE, "#f", FENCE))
              .expressionAttributeValues(Map.of(":f", item.get(FENCE))));
          purged++;
        } catch (ConditionalCheckFailedException e) {
          // written again since the query: no longer that tombstone
        }
      }
    } catch (SdkException e) {
      throw failure("cannot purge tombstones of project \"" + projectId + "\" in", e);
    }
    return purged;
  }

  private void requireOpen() {
    if (writers.isShutdown()) {
      throw new IllegalStateException("repository of table " + table + " is closed");
    }
  }

  private boolean raiseFence(AttributeValue project, AttributeValue fence) {
    try {
      client.updateItem(r -> r.tableName(table)
          .key(Map.of(PROJECT, project, OBJECT, string(FENCE_ITEM)))
          .updateExpression("SET #f = :f")
          .conditionExpression(FENCE_CONDITION)
          .expressionAttributeNames(FENCE_NAME)
          .expressionAttributeValues(Map.of(":f", fence)));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  private PutItemRequest conditionalPut(Map<String, AttributeValue> item, AttributeValue fence) {
    return PutItemRequest.builder()
        .tableName(table)
        .item(item)
        .conditionExpression(FENCE_CONDITION)
        .expressionAttributeNames(FENCE_NAME)
        .expressionAttributeValues(Map.of(":f", fence))
        .build();
  }

  /**
   * Runs the writes on up to {@code writeConcurrency} lanes (this thread and pooled ones), each
   * taking the next write until none is left or one failed; throws the first failure once
   * every lane has stopped.
   */
  private void writeAll(List<PutItemRequest> writes) {
    if (writes.isEmpty()) {
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<@Nullable RuntimeException> failed = new AtomicReference<>();
    Runnable lane = () -> {
      int i;
      while (failed.get() == null && (i = next.getAndIncrement()) < writes.size()) {
        try {
          client.putItem(writes.get(i));
        } catch (ConditionalCheckFailedException e) {
          // a newer save wrote or deleted this object: its value stays
        } catch (RuntimeException e) {
          failed.compareAndSet(null, e);
        }
      }
    };
    int lanes = Math.min(config.writeConcurrency(), writes.size());
    List<Future<?>> helpers = new ArrayList<>(lanes - 1);
    try {
      for (int l = 1; l < lanes; l++) {
        helpers.add(writers.submit(lane));
      }
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("repository of table " + table + " is closed", e);
    }
    lane.run();
    boolean interrupted = false;
    for (Future<?> helper : helpers) {
      while (true) {
        try {
          helper.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
          failed.compareAndSet(null, new StoreException("interrupted while writing to DynamoDB"
              + " table " + table + "; the save is incomplete and will be repeated"));
        } catch (ExecutionException e) {
          failed.compareAndSet(null, new StoreException("a write to DynamoDB table " + table
              + " failed: " + e.getCause(), e));
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    RuntimeException failure = failed.get();
    if (failure != null) {
      throw failure;
    }
  }

  private void checkSize(String projectId, String objectId, int valueBytes) {
    int idBytes = objectId.getBytes(UTF_8).length;
    if (idBytes > MAX_OBJECT_ID_BYTES) {
      throw new StoreException("cannot save project \"" + projectId + "\" to " + table
          + ": object id \"" + objectId + "\" is " + idBytes + " bytes in UTF-8, over DynamoDB's"
          + " sort key limit of " + MAX_OBJECT_ID_BYTES + " bytes; nothing of this save was"
          + " written");
    }
    // DynamoDB counts each attribute's name and value; a number takes at most 21 bytes.
    long size = (long) PROJECT.length() + projectId.getBytes(UTF_8).length + OBJECT.length()
        + idBytes + VALUE.length() + valueBytes + FENCE.length() + 21 + EXPIRES.length() + 21;
    if (size > MAX_ITEM_BYTES) {
      throw new StoreException("cannot save project \"" + projectId + "\" to " + table
          + ": object \"" + objectId + "\" is " + size + " bytes as a DynamoDB item, over the"
          + " limit of " + MAX_ITEM_BYTES + " bytes (400 KB); nothing of this save was written");
    }
  }

  private T decode(String projectId, String objectId, String value) {
    try {
      return codec.decode(value.getBytes(UTF_8));
    } catch (RuntimeException e) {
      throw new StoreException("cannot decode object \"" + objectId + "\" of project \""
          + projectId + "\" in " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * A failure naming what failed and the table: unavailable (worth retrying later) when the
   * server could not be reached or answered in time, throttled or failed on its side.
   */
  private StoreException failure(String what, SdkException e) {
    String message = what + " DynamoDB table " + table + ": " + e.getMessage();
    boolean transient_ = e instanceof SdkClientException
        || e instanceof AwsServiceException s && (s.isThrottlingException() || s.statusCode() >= 500);
    return transient_ ? new StoreUnavailableException(message, e) : new StoreException(message, e);
  }

  private static AttributeValue string(String s) {
    return AttributeValue.fromS(s);
  }

  private static AttributeValue number(long n) {
    return AttributeValue.fromN(Long.toString(n));
  }

  /** Stops the write threads and closes the client if this repository built it. */
  @Override
  public void close() {
    writers.shutdown();
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "DynamoDbCanvasRepository[" + table + ", " + codec + "]";
  }

  /** Builds a {@link DynamoDbCanvasRepository}. Not thread-safe. */
  public static final class Builder<T> {
    private final Codec<T> codec;
    private DynamoDbConfig config = DynamoDbConfig.DEFAULT;
    private @Nullable AwsCredentialsProvider credentials;
    private @Nullable DynamoDbClient client;
    private InstantSource clock = InstantSource.system();

    private Builder(Codec<T> codec) {
      this.codec = codec;
    }

    /** The table and client settings; {@link DynamoDbConfig#DEFAULT} unless given. */
    public Builder<T> config(DynamoDbConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /**
     * Where the client the repository builds takes its credentials from; the SDK's default
     * chain unless given. Ignored with {@link #client}.
     */
    public Builder<T> credentials(AwsCredentialsProvider credentials) {
      this.credentials = requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * A client of your own (its region, endpoint, credentials, HTTP client and retries are then
     * yours; the config's are not used, except the table, createTable, writeConcurrency and
     * tombstoneRetention). The repository does not close it.
     */
    public Builder<T> client(DynamoDbClient client) {
      this.client = requireNonNull(client, "client");
      return this;
    }

    /** The clock that dates tombstones; the system's unless given (tests pass their own). */
    public Builder<T> clock(InstantSource clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the repository (and its client, unless one was given), creating the table if the
     * config asks for it.
     *
     * @throws IllegalStateException if the client cannot be built (no region known)
     * @throws StoreException if the table cannot be created
     */
    public DynamoDbCanvasRepository<T> build() {
      DynamoDbClient given = client;
      DynamoDbCanvasRepository<T> repository = given != null
          ? new DynamoDbCanvasRepository<>(this, given, false)
          : new DynamoDbCanvasRepository<>(this, DynamoDbClients.create(config, credentials), true);
      if (config.createTable()) {
        try {
          repository.createTable();
        } catch (RuntimeException e) {
          repository.close();
          throw e;
        }
      }
      return repository;
    }
  }
}
