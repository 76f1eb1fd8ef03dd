package io.canvasstate.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks a module's public API against its checked-in listing, {@code api/<artifactId>.txt} at
 * the root of the build, so that every change to it is deliberate and reviewed.
 *
 * <p>The listing has every public or protected type and member of the packages the module
 * exports without qualification (read from its compiled {@code module-info}; a module without one
 * exports every package but {@code *.internal*}), one per line, read by reflection from the
 * module's compiled classes ({@code target/classes}). A module opts in with one line in its tests:
 * {@code class PublicApiTest extends PublicApiContract {}}. When the API changes on purpose,
 * regenerate every listing with
 *
 * <pre>{@value #UPDATE_COMMAND}</pre>
 *
 * <p>and review the diff (and {@code CHANGELOG.md}). The module's artifact id comes from the
 * {@code CANVASSTATE_TEST_MODULE} variable the parent POM's Surefire configuration sets.
 */
public abstract class PublicApiContract {
  /** The command that rewrites every module's listing from its compiled classes. */
  public static final String UPDATE_COMMAND =
      "mvn test -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Dcanvasstate.api.update=true";
  private static final String UPDATE_PROPERTY = "canvasstate.api.update";
  private static final int STATIC_TYPE_MODIFIERS =
      Modifier.PUBLIC | Modifier.PROTECTED | Modifier.ABSTRACT | Modifier.STATIC | Modifier.FINAL;

  @Test
  void publicApi_comparedWithCheckedInListing_isUnchanged() throws Exception {
    String module = System.getenv("CANVASSTATE_TEST_MODULE");
    assertThat(module).as("CANVASSTATE_TEST_MODULE (set by the parent POM's Surefire setup)")
        .isNotBlank();
    Path classes = Path.of("target", "classes").toAbsolutePath();
    List<String> actual = listing(module, classes);
    Path file = buildRoot().resolve("api").resolve(module + ".txt");

    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      Files.createDirectories(file.getParent());
      Files.write(file, actual, UTF_8);
      System.out.println("Wrote the public API of " + module + " to " + file);
      return;
    }
    if (!Files.exists(file)) {
      fail("No API listing for " + module + " at " + file + "; create it with:\n  "
          + UPDATE_COMMAND);
    }
    List<String> expected = Files.readAllLines(file, UTF_8);
    if (!expected.equals(actual)) {
      fail("The public API of " + module + " differs from " + file + " (- listed, + now):\n"
          + diff(expected, actual)
          + "If the change is deliberate, regenerate the listings, review them and note the"
          + " change in CHANGELOG.md:\n  " + UPDATE_COMMAND);
    }
  }

  /** The listing of the exported API of the classes under {@code classes}. */
  static List<String> listing(String module, Path classes) throws IOException, ClassNotFoundException {
    List<String> lines = new ArrayList<>();
    lines.add("# The public API of " + module + ": every public or protected type and member of its");
    lines.add("# exported packages. Checked by PublicApiTest; after a deliberate change, regenerate:");
    lines.add("#   " + UPDATE_COMMAND);
    ClassLoader loader = PublicApiContract.class.getClassLoader();
    for (String pkg : exportedPackages(classes)) {
      Path dir = classes.resolve(pkg.replace('.', '/'));
      List<String> names;
      try (Stream<Path> files = Files.list(dir)) {
        names = files.map(p -> p.getFileName().toString())
            .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
            .map(n -> pkg + "." + n.substring(0, n.length() - ".class".length()))
            .sorted()
            .collect(Collectors.toList());
      }
      for (String name : names) {
        Class<?> type = Class.forName(name, false, loader);
        if (isApi(type)) {
          lines.add("");
          lines.add(declaration(type));
          lines.addAll(members(type));
        }
      }
    }
    return lines;
  }

  private static Set<String> exportedPackages(Path classes) throws IOException {
    Path moduleInfo = classes.resolve("module-info.class");
    Set<String> packages = new TreeSet<>();
    if (Files.exists(moduleInfo)) {
      try (InputStream in = Files.newInputStream(moduleInfo)) {
        for (ModuleDescriptor.Exports e : ModuleDescriptor.read(in).exports()) {
          if (!e.isQualified()) {
            packages.add(e.source());
          }
        }
      }
      return packages;
    }
    try (Stream<Path> files = Files.walk(classes)) {
      files.filter(p -> p.toString().endsWith(".class"))
          .map(p -> classes.relativize(p.getParent()).toString().replace('/', '.'))
          .filter(p -> !p.isEmpty() && !p.contains("internal"))
          .forEach(packages::add);
    }
    return packages;
  }

  /** Whether code outside the package can see {@code type}: it and its enclosing types. */
  private static boolean isApi(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      if (t.isSynthetic() || t.isAnonymousClass() || t.isLocalClass()
          || (t.getModifiers() & (Modifier.PUBLIC | Modifier.PROTECTED)) == 0) {
        return false;
      }
    }
    return true;
  }

  private static String declaration(Class<?> type) {
    StringBuilder b = new StringBuilder();
    int modifiers = type.getModifiers() & STATIC_TYPE_MODIFIERS;
    String kind;
    if (type.isAnnotation()) {
      kind = "@interface";
      modifiers &= ~(Modifier.ABSTRACT | Modifier.STATIC);
    } else if (type.isInterface()) {
      kind = "interface";
      modifiers &= ~(Modifier.ABSTRACT | Modifier.STATIC);
    } else if (type.isEnum()) {
      kind = "enum";
      modifiers &= ~(Modifier.FINAL | Modifier.STATIC | Modifier.ABSTRACT);
    } else if (type.isRecord()) {
      kind = "record";
      modifiers &= ~(Modifier.FINAL | Modifier.STATIC);
    } else {
      kind = "class";
    }
    b.append(Modifier.toString(modifiers));
    if (type.isSealed()) {
      b.append(" sealed");
    }
    b.append(' ').append(kind).append(' ').append(type.getName()).append(typeParameters(type));
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      b.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = type.getGenericInterfaces();
    if (interfaces.length > 0) {
      b.append(type.isInterface() ? " extends " : " implements ").append(
          Arrays.stream(interfaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
    }
    if (type.isSealed()) {
      b.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses())
          .map(Class::getName).sorted().collect(Collectors.joining(", ")));
    }
    return b.toString().strip();
  }

  private static String typeParameters(Class<?> type) {
    TypeVariable<?>[] params = type.getTypeParameters();
    if (params.length == 0) {
      return "";
    }
    return Arrays.stream(params).map(p -> {
      Type[] bounds = p.getBounds();
      boolean plain = bounds.length == 1 && bounds[0] == Object.class;
      return plain ? p.getName() : p.getName() + " extends "
          + Arrays.stream(bounds).map(Type::getTypeName).collect(Collectors.joining(" & "));
    }).collect(Collectors.joining(", ", "<", ">"));
  }

  private static List<String> members(Class<?> type) {
    Set<String> lines = new TreeSet<>();
    for (Field f : type.getDeclaredFields()) {
      add(lines, type, f, f.toGenericString());
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      add(lines, type, c, c.toGenericString());
    }
    for (Method m : type.getDeclaredMethods()) {
      if (!m.isBridge()) {
        add(lines, type, m, m.toGenericString());
      }
    }
    return lines.stream().map(l -> "  " + l).collect(Collectors.toList());
  }

  private static void add(Set<String> lines, Class<?> type, Member member, String signature) {
    boolean visible = (member.getModifiers() & (Modifier.PUBLIC | Modifier.PROTECTED)) != 0;
    if (!visible || member.isSynthetic()) {
      return;
    }
    // Drop the declaring type before the member's name: the type heads the block.
    if (member instanceof Constructor) {
      lines.add(signature.replace(type.getTypeName() + "(", "<init>("));
    } else {
      lines.add(signature.replace(type.getTypeName() + "." + member.getName(), member.getName()));
    }
  }

  /** The lines only in {@code expected} ("-") or only in {@code actual} ("+"), in order. */
  static String diff(List<String> expected, List<String> actual) {
    int n = expected.size();
    int m = actual.size();
    int[][] common = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        common[i][j] = expected.get(i).equals(actual.get(j))
            ? common[i + 1][j + 1] + 1
            : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    StringBuilder out = new StringBuilder();
    String type = "";
    String shownType = "";
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      String line;
      char mark;
      if (i < n && j < m && expected.get(i).equals(actual.get(j))) {
        line = expected.get(i++);
        j++;
        mark = ' ';
      } else if (j < m && (i == n || common[i][j + 1] >= common[i + 1][j])) {
        line = actual.get(j++);
        mark = '+';
      } else {
        line = expected.get(i++);
        mark = '-';
      }
      if (!line.isEmpty() && !line.startsWith(" ") && !line.startsWith("#")) {
        type = line;
      }
      if (mark != ' ') {
        if (!type.equals(shownType) && !line.equals(type)) {
          out.append("  in ").append(type).append('\n');
          shownType = type;
        }
        out.append(mark).append(' ').append(line).append('\n');
      }
    }
    return out.toString();
  }

  /** The directory of the parent POM: the nearest one up from here that has {@code .ci}. */
  private static Path buildRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(".ci"))) {
        return dir;
      }
    }
    throw new IllegalStateException("No .ci directory above " + Path.of("").toAbsolutePath());
  }
}
