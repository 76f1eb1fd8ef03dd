package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM ({@code bom/pom.xml}) lists every published artifact of the build, test-jars included,
 * at the build's version. A module is published unless its POM sets {@code maven.deploy.skip}.
 */
class BomTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void bom_listsEveryPublishedArtifactAtTheProjectVersion() throws Exception {
    Document parent = parse(ROOT.resolve("pom.xml"));
    Document bom = parse(ROOT.resolve("bom/pom.xml"));
    String version = text(parent.getDocumentElement(), "version");

    List<String> expected = new ArrayList<>();
    for (Element module : children(parent.getDocumentElement(), "modules", "module")) {
      Document pom = parse(ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml"));
      String packaging = text(pom.getDocumentElement(), "packaging");
      if (pom.getElementsByTagName("maven.deploy.skip").getLength() > 0
          || text(pom.getDocumentElement(), "artifactId").equals("canvasstate-bom")
          || "pom".equals(packaging)) {
        continue;
      }
      String artifactId = text(pom.getDocumentElement(), "artifactId");
      expected.add(artifactId + ":jar");
      for (Element goal : elements(pom, "goal")) {
        if (goal.getTextContent().trim().equals("test-jar")) {
          expected.add(artifactId + ":test-jar");
        }
      }
    }
    List<String> listed = new ArrayList<>();
    for (Element dependency : elements(bom, "dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("io.canvasstate");
      assertThat(text(dependency, "version")).isEqualTo("${project.version}");
      String type = text(dependency, "type");
      listed.add(text(dependency, "artifactId") + ":" + (type.isEmpty() ? "jar" : type));
    }

    assertThat(expected).isNotEmpty();
    assertThat(listed).as("artifacts in bom/pom.xml").containsExactlyInAnyOrderElementsOf(expected);
    assertThat(text(bom.getDocumentElement(), "version")).as("the BOM's version").isEqualTo(version);
    assertThat(bom.getElementsByTagName("parent").getLength())
        .as("a parent would leak its dependencyManagement into every importing build").isZero();
  }

  private static Document parse(Path pom) throws Exception {
    assertThat(pom).exists();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (var in = Files.newInputStream(pom)) {
      return factory.newDocumentBuilder().parse(in);
    }
  }

  private static List<Element> elements(Document document, String tag) {
    List<Element> result = new ArrayList<>();
    NodeList nodes = document.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      result.add((Element) nodes.item(i));
    }
    return result;
  }

  private static List<Element> children(Element parent, String wrapper, String tag) {
    List<Element> result = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(wrapper)) {
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
          if (c instanceof Element ce && ce.getTagName().equals(tag)) {
            result.add(ce);
          }
        }
      }
    }
    return result;
  }

  /** The text of {@code element}'s direct child {@code tag}, or "" if it has none. */
  private static String text(Element element, String tag) {
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e.getTextContent().trim();
      }
    }
    return "";
  }
}
