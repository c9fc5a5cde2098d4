package dev.slipway.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RandomSuffixesTest {
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  @Test
  void yieldsFiveCharactersFromTheAlphabetOnly() {
    NameSuffixes suffixes = MachinePlanner.randomSuffixes(new SplittableRandom(42));
    Set<Character> seen = new HashSet<>();

    for (int i = 0; i < 10_000; i++) {
      String suffix = suffixes.next();
      assertThat(suffix).hasSize(5).matches("[" + ALPHABET + "]{5}");
      suffix.chars().forEach(c -> seen.add((char) c));
    }

    assertThat(seen).hasSize(ALPHABET.length());
  }

  @Test
  void alphabetIsTheClusterApiOneWithoutVowelsOrLookAlikes() {
    assertThat(MachinePlanner.SUFFIX_ALPHABET).isEqualTo(ALPHABET);
    assertThat(MachinePlanner.SUFFIX_LENGTH).isEqualTo(5);
    assertThat(MachinePlanner.SUFFIX_ALPHABET).doesNotContainAnyWhitespaces();
    assertThat(MachinePlanner.SUFFIX_ALPHABET.chars().filter(c -> "aeiou013".indexOf(c) >= 0))
        .isEmpty();
  }

  @Test
  void sameSeedGivesTheSameSuffixes() {
    NameSuffixes first = MachinePlanner.randomSuffixes(new Random(7));
    NameSuffixes second = MachinePlanner.randomSuffixes(new Random(7));

    List<String> a = IntStream.range(0, 50).mapToObj(i -> first.next()).toList();
    List<String> b = IntStream.range(0, 50).mapToObj(i -> second.next()).toList();

    assertThat(a).isEqualTo(b);
  }

  @Test
  void suffixesRarelyRepeat() {
    NameSuffixes suffixes = MachinePlanner.randomSuffixes(new SplittableRandom(1));

    Set<String> drawn = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      drawn.add(suffixes.next());
    }

    assertThat(drawn).hasSizeGreaterThan(990);
  }

  @Test
  void namesFromRandomSuffixesAreDnsLabels() {
    DesiredTopology desired =
        new DesiredTopology("tkc", 3, List.of(PoolSpec.managed("workers", 20)));
    List<ObservedMachine> observed = List.of(Fixtures.cp("tkc-control-plane-first"));

    Plan plan =
        MachinePlanner.plan(
            desired, observed, Fixtures.INITIALIZED, MachinePlanner.randomSuffixes(new Random(3)));

    assertThat(plan.create())
        .hasSize(21)
        .allSatisfy(
            c -> assertThat(c.name()).matches("tkc-(control-plane|workers)-[" + ALPHABET + "]{5}"));
  }

  @Test
  void nullGeneratorIsRejected() {
    assertThatNullPointerException()
        .isThrownBy(() -> MachinePlanner.randomSuffixes(null))
        .withMessage("random");
  }
}
