package io.canvasstate.persistence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.StoreException;
import io.canvasstate.internal.Values;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CanvasRepository} that keeps each project in one JSON file in a directory: the
 * embedded default, for a single instance or for instances sharing a file system, with no
 * server to run.
 *
 * <p>A project's file is {@code p-<encoded id>.json}, holding
 * {@code {"projectId": "...", "fence": 123, "objects": {"<objectId>": <object JSON>, ...}}}. The
 * id is kept readable: lower-case letters, digits, {@code -}, {@code _} and {@code .} as they
 * are, every other byte of its UTF-8 as {@code %XX} (so that ids differing only in case do not
 * collide on a case-insensitive file system); a long id is cut and completed with a hash.
 *
 * <p>A save rewrites the project's file: it reads it, checks the fence, applies the changes,
 * writes a temporary file in the same directory, forces it to disk and renames it over the old
 * one atomically, so a reader (or a crash) sees the old file or the new one, never a mix. Saves
 * to one directory are serialized, across threads and, through a lock file
 * ({@code .canvasstate.lock}), across processes. Object values must be JSON, as stores keep
 * them.
 *
 * <p>Thread-safe.
 *
 * @param <T> the type of the canvas objects
 */
public final class JsonFileCanvasRepository<T> implements CanvasRepository<T> {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_READABLE_NAME = 120;
  /** One lock per directory in this JVM: a FileLock cannot be taken twice by one process. */
  private static final ConcurrentHashMap<Path, ReentrantLock> DIRECTORY_LOCKS =
      new ConcurrentHashMap<>();

  private final Path directory;
  private final Codec<T> codec;
  private final ReentrantLock lock;
  private final Path lockFile;

  private JsonFileCanvasRepository(Path directory, Codec<T> codec) {
    this.directory = directory;
    this.codec = codec;
    this.lock = DIRECTORY_LOCKS.computeIfAbsent(directory, d -> new ReentrantLock());
    this.lockFile = directory.resolve(".canvasstate.lock");
  }

  /**
   * A repository in {@code directory}, created (with its parents) if it does not exist.
   *
   * @param codec turns objects into the JSON kept in the files, and back
   * @throws StoreException if the directory cannot be created or is not a directory
   */
  public static <T> JsonFileCanvasRepository<T> open(Path directory, Codec<T> codec) {
    requireNonNull(directory, "directory");
    requireNonNull(codec, "codec");
    try {
      Files.createDirectories(directory);
      return new JsonFileCanvasRepository<>(directory.toRealPath(), codec);
    } catch (IOException e) {
      throw new StoreException("cannot use directory " + directory + " for canvas files: " + e, e);
    }
  }

  /** The directory the files are in. */
  public Path directory() {
    return directory;
  }

  /**
   * The file that holds (or would hold) a project.
   *
   * @throws IllegalArgumentException if the project id is invalid ({@link KeySchema#requireValidId})
   */
  public Path file(String projectId) {
    return directory.resolve(fileName(KeySchema.requireValidId("projectId", projectId)));
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the file cannot be read or parsed, or a value cannot be decoded
   *     (the message names the file)
   */
  @Override
  public Map<String, T> load(String projectId) {
    Path file = file(projectId);
    ObjectNode document = read(file, projectId);
    if (document == null) {
      return Map.of();
    }
    Map<String, T> objects = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : document.get("objects").properties()) {
      try {
        objects.put(e.getKey(), Values.decode(codec, file.toString(), e.getKey(),
            MAPPER.writeValueAsBytes(e.getValue())));
      } catch (IOException | RuntimeException ex) {
        throw new StoreException("cannot read object \"" + e.getKey() + "\" of " + file + ": "
            + ex.getMessage(), ex);
      }
    }
    return Map.copyOf(objects);
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the file cannot be read or written, or a value does not encode to
   *     JSON (nothing is written then)
   */
  @Override
  public boolean save(ProjectChanges<T> changes) {
    requireNonNull(changes, "changes");
    String projectId = changes.projectId();
    Path file = file(projectId);
    Map<String, JsonNode> upserts = new LinkedHashMap<>();
    changes.upserts().forEach((objectId, value) -> {
      byte[] bytes = Values.encode(codec, objectId, value, Integer.MAX_VALUE);
      try {
        upserts.put(objectId, MAPPER.readTree(bytes));
      } catch (IOException e) {
        throw new StoreException("the value of object \"" + objectId + "\" of project \""
            + projectId + "\" is not JSON, which " + file + " must hold: " + e.getMessage(), e);
      }
    });
    lock.lock();
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      channel.lock(); // held until the channel closes: other processes saving here wait
      ObjectNode document = read(file, projectId);
      if (document == null) {
        document = MAPPER.createObjectNode();
        document.put("projectId", projectId);
        document.put("fence", 0L);
        document.putObject("objects");
      }
      if (changes.fence() < document.path("fence").asLong()) {
        return false;
      }
      document.put("fence", changes.fence());
      ObjectNode objects = (ObjectNode) document.get("objects");
      upserts.forEach(objects::set);
      changes.deletes().forEach(objects::remove);
      write(file, document);
      return true;
    } catch (IOException e) {
      throw new StoreException("cannot save project \"" + projectId + "\" to " + file + ": " + e,
          e);
    } finally {
      lock.unlock();
    }
  }

  /** The file's document, or null if there is no file. */
  private static @Nullable ObjectNode read(Path file, String projectId) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new StoreException("cannot read " + file + ": " + e, e);
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new StoreException(file + " is not a canvas file (not JSON): " + e.getMessage(), e);
    }
    if (!(node instanceof ObjectNode document) || !document.path("objects").isObject()) {
      throw new StoreException(file + " is not a canvas file: no \"objects\" object");
    }
    if (!projectId.equals(document.path("projectId").asText())) {
      throw new StoreException(file + " holds project \"" + document.path("projectId").asText()
          + "\", not \"" + projectId + "\"");
    }
    return document;
  }

  private void write(Path file, ObjectNode document) throws IOException {
    Path temp = directory.resolve(file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(channel);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
          json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
          MAPPER.writeTree(json, document);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + directory + " cannot rename atomically", e);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory();
  }

  /** Makes the rename durable where the platform allows it (Linux does; Windows cannot). */
  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every platform can open or force a directory; the rename itself is atomic.
    }
  }

  /** The file name of a project: readable, case-safe, bounded in length. */
  static String fileName(String projectId) {
    StringBuilder name = new StringBuilder("p-");
    for (byte b : projectId.getBytes(UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
        name.append(c);
      } else {
        name.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    if (name.length() > MAX_READABLE_NAME) {
      name.setLength(MAX_READABLE_NAME / 2);
      name.append('~').append(sha256(projectId), 0, 40);
    }
    return name.append(".json").toString();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "JsonFileCanvasRepository[" + directory + ", " + codec + "]";
  }
}
