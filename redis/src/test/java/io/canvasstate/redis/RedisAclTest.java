package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ACL command list is derived from the scripts: every command any Lua script calls
 * ({@code redis.call} or {@code redis.pcall}) is in {@link RedisAcl#SCRIPT_COMMANDS}, and
 * nothing else is. A script that starts calling a new command fails this test until the list
 * (and the README's ACL line, which {@code RedisAclDeploymentTest} runs every contract under)
 * names it.
 */
class RedisAclTest {
  /** The classes that define scripts; {@link #scripts_areAllDefinedInTheClassesThisTestReads} checks it. */
  static final List<Class<?>> SCRIPT_CLASSES =
      List.of(Scripts.class, EventScripts.class, PersistScripts.class, RoomScripts.class);

  private static final Pattern CALL =
      Pattern.compile("redis\\.p?call\\(\\s*'([A-Za-z|]+)'");

  /** Every script the store classes define: static fields, and the values of static maps. */
  static List<Script> allScripts() throws IllegalAccessException {
    List<Script> scripts = new ArrayList<>();
    for (Class<?> c : SCRIPT_CLASSES) {
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        f.setAccessible(true);
        Object value = f.get(null);
        if (value instanceof Script s) {
          scripts.add(s);
        } else if (value instanceof Map<?, ?> map) {
          map.values().forEach(v -> {
            if (v instanceof Script s) {
              scripts.add(s);
            }
          });
        }
      }
    }
    return scripts;
  }

  static Set<String> commandsCalled(List<Script> scripts) {
    Set<String> commands = new TreeSet<>();
    for (Script s : scripts) {
      Matcher m = CALL.matcher(new String(s.body(), UTF_8));
      while (m.find()) {
        commands.add(m.group(1).toLowerCase(Locale.ROOT));
      }
    }
    return commands;
  }

  @Test
  void scriptCommands_everyRedisCallInEveryScript_isExactlyTheList() throws Exception {
    List<Script> scripts = allScripts();

    assertThat(scripts).hasSizeGreaterThan(20);
    assertThat(new TreeSet<>(RedisAcl.SCRIPT_COMMANDS)).isEqualTo(commandsCalled(scripts));
  }

  @Test
  void rules_grantEveryCommandOfScriptsAndClient_andDenyTheRest() {
    String rules = RedisAcl.rules("myapp:");

    assertThat(rules).contains(" -@all ");
    for (String command : RedisAcl.SCRIPT_COMMANDS) {
      assertThat(rules).contains(" +" + command);
    }
    for (String command : RedisAcl.CLIENT_COMMANDS) {
      assertThat(rules).contains(" +" + command);
    }
    assertThat(rules.split(" ")).doesNotHaveDuplicates();
  }

  @Test
  void scripts_areAllDefinedInTheClassesThisTestReads() throws IOException {
    Path sources = Path.of("src/main/java/io/canvasstate/redis");
    List<String> defining = new ArrayList<>();
    try (Stream<Path> files = Files.list(sources)) {
      for (Path file : files.toList()) {
        if (Files.readString(file).contains("Script.of(")) {
          defining.add(file.getFileName().toString());
        }
      }
    }
    defining.remove("Script.java");

    assertThat(defining).containsExactlyInAnyOrderElementsOf(
        SCRIPT_CLASSES.stream().map(c -> c.getSimpleName() + ".java").toList());
  }
}
