package io.canvasstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeySchemaTest {

  @Test
  void keys_defaultSchema_followTheDocumentedLayout() {
    KeySchema k = KeySchema.DEFAULT;

    assertThat(k.prefix()).isEmpty();
    assertThat(k.objectsKey("p1")).isEqualTo("canvas:{p1}:objects");
    assertThat(k.projectKey("p1", "versions")).isEqualTo("canvas:{p1}:versions");
    assertThat(k.activeProjectsKey()).isEqualTo("projects:active");
    assertThat(k.presenceKey()).isEqualTo("presence:{users}");
    assertThat(k.activeUsersKey()).isEqualTo("presence:{users}:active");
  }

  @Test
  void keys_withPrefix_allStartWithIt() {
    KeySchema k = KeySchema.withPrefix("myapp:");

    assertThat(k.prefix()).isEqualTo("myapp:");
    assertThat(k.objectsKey("p1")).isEqualTo("myapp:canvas:{p1}:objects");
    assertThat(k.activeProjectsKey()).isEqualTo("myapp:projects:active");
    assertThat(k.presenceKey()).isEqualTo("myapp:presence:{users}");
    assertThat(k.activeUsersKey()).isEqualTo("myapp:presence:{users}:active");
    assertThat(k).hasToString("KeySchema[prefix=\"myapp:\"]");
  }

  @Test
  void withPrefix_emptyOrEqualPrefix_givesEqualSchemas() {
    assertThat(KeySchema.withPrefix("")).isSameAs(KeySchema.DEFAULT);
    assertThat(KeySchema.withPrefix("a:")).isEqualTo(KeySchema.withPrefix("a:"))
        .hasSameHashCodeAs(KeySchema.withPrefix("a:"))
        .isNotEqualTo(KeySchema.withPrefix("b:"));
  }

  @Test
  void objectsKey_twoProjects_areInDifferentHashTagsAndOneProjectsKeysShareOne() {
    KeySchema k = KeySchema.DEFAULT;

    assertThat(hashTag(k.objectsKey("p1"))).isEqualTo("p1");
    assertThat(hashTag(k.projectKey("p1", "events"))).isEqualTo("p1");
    assertThat(hashTag(k.objectsKey("p2"))).isEqualTo("p2");
    assertThat(hashTag(k.presenceKey())).isEqualTo(hashTag(k.activeUsersKey()));
  }

  /** The part of a key Redis Cluster hashes: between the first '{' and the next '}'. */
  private static String hashTag(String key) {
    int open = key.indexOf('{');
    return key.substring(open + 1, key.indexOf('}', open));
  }

  @ParameterizedTest
  @ValueSource(strings = {"p", "project-42", "a.b_c~d", "\u00e9t\u00e9", "\ud83c\udfa8emoji",
      "UPPER", "with/slash", "a|b", "0", "quote\"and\\backslash", "*", "?"})
  void requireValidId_goodId_returnsIt(String id) {
    assertThat(KeySchema.requireValidId("projectId", id)).isSameAs(id);
  }

  @Test
  void requireValidId_longestAllowed_isAcceptedAndOneMoreIsNot() {
    String longest = "x".repeat(KeySchema.MAX_ID_LENGTH);

    assertThat(KeySchema.requireValidId("objectId", longest)).isEqualTo(longest);
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", longest + "y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("objectId")
        .hasMessageContaining(String.valueOf(KeySchema.MAX_ID_LENGTH))
        .hasMessageContaining(String.valueOf(KeySchema.MAX_ID_LENGTH + 1))
        .hasMessageContaining("xxxxxxxx");
  }

  @Test
  void requireValidId_empty_saysSo() {
    assertThatThrownBy(() -> KeySchema.requireValidId("userId", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("userId must not be empty");
  }

  @Test
  void requireValidId_null_throwsNullPointerNamingTheId() {
    assertThatThrownBy(() -> KeySchema.requireValidId("projectId", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("projectId");
  }

  @Test
  void requireValidId_eachForbiddenCharacter_messageNamesCharacterAndId() {
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a{b"))
        .hasMessage("objectId must not contain '{': \"a{b\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a}b"))
        .hasMessage("objectId must not contain '}': \"a}b\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("projectId", "x}:objects"))
        .hasMessage("projectId must not contain '}': \"x}:objects\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a:b"))
        .hasMessage("objectId must not contain ':': \"a:b\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a b"))
        .hasMessage("objectId must not contain whitespace: \"a b\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a\u2003b"))
        .hasMessage("objectId must not contain whitespace: \"a\u2003b\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a\u00a0b"))
        .hasMessage("objectId must not contain whitespace: \"a\u00a0b\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a\nb"))
        .hasMessage("objectId must not contain a control character: \"a\\u000ab\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a\u0000b"))
        .hasMessage("objectId must not contain a control character: \"a\\u0000b\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a\u0085b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requireValidId_loneSurrogates_areRejected() {
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "a\ud800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("objectId must not contain a lone surrogate: \"a\\ud800\"");
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "\udc00a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\\udc00a");
  }

  @Test
  void requireValidId_quoteInvalidId_isEscapedInTheMessage() {
    assertThatThrownBy(() -> KeySchema.requireValidId("objectId", "\"a b\""))
        .hasMessage("objectId must not contain whitespace: \"\\u0022a b\\u0022\"");
  }

  @Test
  void projectKey_invalidProjectId_isRejected() {
    assertThatThrownBy(() -> KeySchema.DEFAULT.objectsKey("p}:x{q"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("projectId");
  }

  @ParameterizedTest
  @ValueSource(strings = {"my{app}:", "my}", "my app:", "tab\t", "nl\n"})
  void withPrefix_badPrefix_throwsIllegalArgumentShowingIt(String prefix) {
    assertThatThrownBy(() -> KeySchema.withPrefix(prefix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("key prefix must not contain");
  }

  @Test
  void withPrefix_tooLong_throwsIllegalArgumentWithTheLength() {
    String longest = "p".repeat(KeySchema.MAX_PREFIX_LENGTH);

    assertThat(KeySchema.withPrefix(longest).prefix()).isEqualTo(longest);
    assertThatThrownBy(() -> KeySchema.withPrefix(longest + ":"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(KeySchema.MAX_PREFIX_LENGTH + 1));
    assertThatThrownBy(() -> KeySchema.withPrefix(null)).isInstanceOf(NullPointerException.class);
  }
}
