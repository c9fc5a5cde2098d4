package dev.slipway.operator.controller.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class PipelineTest {

  /** Each step writes its name into the pass (a list), then does what it was told. */
  static Step<List<String>> step(String name, Next next) {
    return pass -> {
      pass.add(name);
      return next;
    };
  }

  static Pipeline<List<String>> abc(Next forB) {
    return Pipeline.<List<String>>builder("test")
        .step("a", step("a", Next.proceed()))
        .step("b", step("b", forB))
        .step("c", step("c", Next.proceed()))
        .build();
  }

  @Test
  void everyPassIsCountedByPipelineAndTheStepItEndedAt() {
    Pipeline<List<String>> p =
        Pipeline.<List<String>>builder("counted")
            .step("a", step("a", Next.proceed()))
            .step("b", step("b", Next.waitFor("wait", Duration.ofSeconds(1))))
            .build();
    Pipeline<List<String>> throwing =
        p.replacing(
            "a",
            pass -> {
              throw new IllegalStateException("boom");
            });
    Pipeline<List<String>> through = p.replacing("b", step("b", Next.proceed()));
    p.run(new ArrayList<>());
    p.run(new ArrayList<>());
    through.run(new ArrayList<>());
    assertThatThrownBy(() -> throwing.run(new ArrayList<>())).hasMessage("boom");

    assertThat(Pipeline.passes())
        .containsEntry(new Pipeline.At("counted", "b"), 2L)
        .containsEntry(new Pipeline.At("counted", Pipeline.THROUGH), 1L)
        .containsEntry(new Pipeline.At("counted", "a " + Pipeline.THREW), 1L)
        .doesNotContainKey(new Pipeline.At("counted", "a"));
  }

  @Test
  void theCpuOfEveryStepIsCountedByPipelineAndStepThrowingOrNot() {
    // Spins until this thread has used 20 ms of CPU, by the clock the pipeline reads: however
    // loaded the machine, the step has used at least that much.
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    Step<List<String>> busy =
        pass -> {
          long until = threads.getCurrentThreadCpuTime() + 20_000_000L;
          long x = 0;
          while (threads.getCurrentThreadCpuTime() < until) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
          }
          pass.add(String.valueOf(x));
          return Next.proceed();
        };
    Pipeline<List<String>> p =
        Pipeline.<List<String>>builder("timed")
            .step("busy", busy)
            .step("quick", step("quick", Next.waitForEvents("w")))
            .build();
    Pipeline<List<String>> throwing =
        p.replacing(
            "quick",
            pass -> {
              busy.run(pass);
              throw new IllegalStateException("boom");
            });
    p.run(new ArrayList<>());
    assertThatThrownBy(() -> throwing.run(new ArrayList<>())).hasMessage("boom");

    long busyNanos = Pipeline.stepCpuNanos(new Pipeline.At("timed", "busy"));
    long quickNanos = Pipeline.stepCpuNanos(new Pipeline.At("timed", "quick"));
    assertThat(busyNanos).isGreaterThanOrEqualTo(20_000_000L);
    assertThat(quickNanos)
        .as("the throwing step's spin counted")
        .isGreaterThanOrEqualTo(20_000_000L);
    assertThat(Pipeline.stepCpuNanos())
        .containsKeys(new Pipeline.At("timed", "busy"), new Pipeline.At("timed", "quick"));
    assertThat(Pipeline.stepCpuNanos(new Pipeline.At("timed", "none"))).isZero();
  }

  @Test
  void runsEveryStepInOrderWhenNoneWaits() {
    List<String> ran = new ArrayList<>();
    Pipeline.Outcome o = abc(Next.proceed()).run(ran);
    assertThat(ran).containsExactly("a", "b", "c");
    assertThat(o.step()).isNull();
    assertThat(o.next().proceeds()).isTrue();
  }

  @Test
  void theFirstWaitEndsThePass() {
    List<String> ran = new ArrayList<>();
    Next wait = Next.waitFor("template not ready", Duration.ofSeconds(2));
    Pipeline.Outcome o = abc(wait).run(ran);
    assertThat(ran).containsExactly("a", "b");
    assertThat(o.step()).isEqualTo("b");
    assertThat(o.next()).isSameAs(wait);
    assertThat(o.next().reason()).contains("template not ready");
    assertThat(o.next().after()).contains(Duration.ofSeconds(2));
  }

  @Test
  void aWaitForEventsEndsThePassToo() {
    List<String> ran = new ArrayList<>();
    Pipeline.Outcome o = abc(Next.waitForEvents("watching the node")).run(ran);
    assertThat(ran).containsExactly("a", "b");
    assertThat(o.step()).isEqualTo("b");
    assertThat(o.next().after()).isEmpty();
    assertThat(o.next().proceeds()).isFalse();
  }

  @Test
  void aThrowingStepEndsThePassWithItsException() {
    List<String> ran = new ArrayList<>();
    Pipeline<List<String>> p =
        abc(Next.proceed())
            .replacing(
                "b",
                pass -> {
                  throw new IllegalStateException("vCenter said no");
                });
    assertThatThrownBy(() -> p.run(ran)).hasMessage("vCenter said no");
    assertThat(ran).containsExactly("a");
  }

  @Test
  void replacingOneStepByNameKeepsTheOthersAndTheOrder() {
    Pipeline<List<String>> original = abc(Next.proceed());
    Pipeline<List<String>> replaced =
        original.replacing("b", step("B!", Next.waitFor("stub", Duration.ofSeconds(1))));

    List<String> ran = new ArrayList<>();
    Pipeline.Outcome o = replaced.run(ran);
    assertThat(ran).containsExactly("a", "B!");
    assertThat(o.step()).isEqualTo("b");
    assertThat(replaced.names()).containsExactly("a", "b", "c");

    List<String> again = new ArrayList<>();
    original.run(again);
    assertThat(again).as("the original is unchanged").containsExactly("a", "b", "c");
  }

  @Test
  void replacingAnUnknownStepFailsNamingTheSteps() {
    assertThatThrownBy(() -> abc(Next.proceed()).replacing("d", step("d", Next.proceed())))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("no step d")
        .hasMessageContaining("[a, b, c]");
  }

  @Test
  void aNameTwiceIsRejected() {
    Pipeline.Builder<List<String>> b =
        Pipeline.<List<String>>builder("test").step("a", step("a", Next.proceed()));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> b.step("a", step("again", Next.proceed())))
        .withMessageContaining("step a twice");
  }

  @Test
  void namesAreInOrderAndACopy() {
    Pipeline<List<String>> p = abc(Next.proceed());
    List<String> names = p.names();
    assertThat(names).containsExactly("a", "b", "c");
    names.clear();
    assertThat(p.names()).containsExactly("a", "b", "c");
  }

  @Test
  void theBuilderIsNotSharedWithBuiltPipelines() {
    Pipeline.Builder<List<String>> b =
        Pipeline.<List<String>>builder("test").step("a", step("a", Next.proceed()));
    Pipeline<List<String>> first = b.build();
    b.step("b", step("b", Next.proceed()));
    assertThat(first.names()).containsExactly("a");
    assertThat(b.build().names()).containsExactly("a", "b");
  }

  @Test
  void waitsNeedAReason() {
    assertThatNullPointerException().isThrownBy(() -> Next.waitFor(null, Duration.ofSeconds(1)));
    assertThatNullPointerException().isThrownBy(() -> Next.waitForEvents(null));
    assertThatNullPointerException().isThrownBy(() -> Next.waitFor("why", null));
  }

  @Test
  void soonerPicksTheEarlierTimedWait() {
    Next oneSecond = Next.waitFor("task", Duration.ofSeconds(1));
    Next tenSeconds = Next.waitFor("user", Duration.ofSeconds(10));
    Next events = Next.waitForEvents("node");
    Next go = Next.proceed();
    assertThat(oneSecond.sooner(tenSeconds)).isSameAs(oneSecond);
    assertThat(tenSeconds.sooner(oneSecond)).isSameAs(oneSecond);
    assertThat(events.sooner(tenSeconds)).isSameAs(tenSeconds);
    assertThat(tenSeconds.sooner(events)).isSameAs(tenSeconds);
    assertThat(go.sooner(tenSeconds)).isSameAs(tenSeconds);
    assertThat(tenSeconds.sooner(go)).isSameAs(tenSeconds);
    assertThat(go.sooner(go).proceeds()).isTrue();
  }

  @Test
  void describesItself() {
    assertThat(Next.proceed()).hasToString("proceed");
    assertThat(Next.waitFor("clone started", Duration.ofSeconds(1)))
        .hasToString("wait(clone started, PT1S)");
    assertThat(Next.waitForEvents("node")).hasToString("wait(node, on events)");
  }
}
