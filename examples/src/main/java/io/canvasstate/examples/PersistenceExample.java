package io.canvasstate.examples;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.dynamodb.DynamoDbCanvasRepository;
import io.canvasstate.examples.QuickStart.Shape;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.jdbc.JdbcCanvasRepository;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.RedisStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Redis (or memory) as the live copy, a durable store behind it: writes, an auto-save worker,
 * and a read-through after the live copy is gone.
 *
 * <p>The durable store is DynamoDB when {@code DYNAMODB_TABLE} is set (with {@code AWS_REGION},
 * {@code DYNAMODB_ENDPOINT} for a local server, {@code DYNAMODB_CREATE_TABLE=true} to create the
 * table; credentials from the AWS SDK's default chain), else PostgreSQL when {@code JDBC_URL} is
 * set (such as {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; the table is
 * created), else JSON files in {@code ./canvas-data}. The live store is Redis when {@code REDIS_URL} is set, else
 * memory.
 */
public final class PersistenceExample {
  static final JacksonCodec<Shape> SHAPES = JacksonCodec.of(Shape.class);

  private PersistenceExample() {}

  public static void main(String[] args) {
    Environment env = Environment.read();
    PersistenceConfig persistenceConfig = env.persistence();
    if (!env.isSet("CANVASSTATE_SAVE_INTERVAL")) {
      // Save every second rather than every 5 s, so the example shows saves quickly.
      persistenceConfig = persistenceConfig.toBuilder().saveInterval(Duration.ofSeconds(1)).build();
    }
    CanvasRepository<Shape> repository = env.isSet("DYNAMODB_TABLE")
        ? dynamoDb()
        : repository(System.getenv("JDBC_URL"));
    Persistence<Shape> persistence = Persistence.builder(repository)
        .config(persistenceConfig)
        .build();
    StoreConfig config = env.store();
    try (repository) { // the DynamoDB client holds connections
      if (config.deployment() == StoreConfig.Deployment.NONE) {
        try (CanvasStore<Shape> canvas = InMemoryCanvasStore.builder(SHAPES, persistence).build()) {
          run(canvas, persistence, repository);
        }
        return;
      }
      try (RedisStores redis = env.redisStores(config)) {
        run(redis.canvas(SHAPES, persistence), persistence, repository);
      }
    }
  }

  /** DynamoDB, configured from the environment (the table, region, endpoint). */
  static CanvasRepository<Shape> dynamoDb() {
    DynamoDbCanvasRepository<Shape> repository = DynamoDbCanvasRepository.fromEnv(SHAPES);
    System.out.println("Saving to DynamoDB, table " + repository.table());
    return repository;
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }

  /** PostgreSQL through JDBC if a URL is given, else JSON files. */
  static CanvasRepository<Shape> repository(String jdbcUrl) {
    if (!isSet(jdbcUrl)) {
      System.out.println("No JDBC_URL: saving to JSON files in ./canvas-data");
      return JsonFileCanvasRepository.open(Path.of("canvas-data"), SHAPES);
    }
    PGSimpleDataSource dataSource = new PGSimpleDataSource(); // use a pool (HikariCP) in production
    dataSource.setURL(jdbcUrl);
    System.out.println("Saving to PostgreSQL, table " + JdbcCanvasRepository.DEFAULT_TABLE);
    return JdbcCanvasRepository.builder(dataSource, SHAPES).build(); // creates the table
  }

  static void run(CanvasStore<Shape> canvas, Persistence<Shape> persistence,
      CanvasRepository<Shape> repository) {
    String project = "persistence-demo";
    AutoSaveWorker worker = persistence.startWorker(); // one per instance, saving every second
    try {
      canvas.put(project, "rect-1", new Shape("rect", 10, 10, 120, 80, "#e63946"));
      canvas.put(project, "text-1", new Shape("text", 20, 260, 180, 24, "#1d3557"));
      System.out.println("wrote 2 objects; unsaved: " + persistence.stats().backlog());
    } finally {
      worker.close(); // saves what is left
    }
    System.out.println("saved; the repository holds " + repository.load(project).keySet()
        + "; stats: " + persistence.stats());

    persistence.warm(List.of(project)); // cache warming: a no-op here, the project is live
    Map<String, Shape> all = canvas.getAll(project);
    System.out.println("getAll -> " + all.keySet()
        + " (a project that left the live store is loaded back from the repository)");
  }
}
