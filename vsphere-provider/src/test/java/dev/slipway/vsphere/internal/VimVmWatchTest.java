package dev.slipway.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.slipway.vsphere.soap.Moref;
import dev.slipway.vsphere.soap.XmlNode;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The VM watch's update-set parsing, stamps and back-off. */
class VimVmWatchTest {

  @Test
  void anUpdateSetGivesItsVersionTruncationAndTheVmsWithTheirInstanceUuids() {
    XmlNode set =
        XmlNode.parse(
            "<returnval xmlns=\"urn:vim25\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                + "<version>7</version><filterSet><filter type=\"PropertyFilter\">f-1</filter>"
                + "<objectSet><kind>enter</kind><obj type=\"VirtualMachine\">vm-1</obj>"
                + "<changeSet><name>config.instanceUuid</name><op>assign</op>"
                + "<val xsi:type=\"xsd:string\">u-1</val></changeSet>"
                + "<changeSet><name>name</name><op>assign</op><val>a</val></changeSet></objectSet>"
                + "<objectSet><kind>modify</kind><obj type=\"VirtualMachine\">vm-2</obj>"
                + "<changeSet><name>runtime.powerState</name><op>assign</op><val>poweredOff</val>"
                + "</changeSet><futureField>x</futureField></objectSet>"
                + "<objectSet><kind>leave</kind><obj type=\"VirtualMachine\">vm-3</obj></objectSet>"
                + "<objectSet><kind>enter</kind><obj type=\"Folder\">group-1</obj></objectSet>"
                + "</filterSet><truncated>true</truncated></returnval>");
    VimVmWatch.UpdateSet u = VimVmWatch.UpdateSet.parse(set);
    assertThat(u.version()).isEqualTo("7");
    assertThat(u.truncated()).isTrue();
    assertThat(u.objects())
        .extracting(
            VimVmWatch.ObjectUpdate::kind,
            VimVmWatch.ObjectUpdate::obj,
            VimVmWatch.ObjectUpdate::instanceUuid)
        .containsExactly(
            tuple(VimVmWatch.Kind.ENTER, new Moref("VirtualMachine", "vm-1"), Optional.of("u-1")),
            tuple(VimVmWatch.Kind.MODIFY, new Moref("VirtualMachine", "vm-2"), Optional.empty()),
            tuple(VimVmWatch.Kind.LEAVE, new Moref("VirtualMachine", "vm-3"), Optional.empty()));
    assertThat(u.objects().get(0).changes()).containsOnlyKeys("config.instanceUuid", "name");
    assertThat(u.objects().get(1).changes()).containsOnlyKeys("runtime.powerState");
    assertThat(u.objects().get(2).changes()).isEmpty();
  }

  @Test
  void aRemovedPropertyHasNoHashAndDifferentValuesHaveDifferentOnes() {
    XmlNode set =
        XmlNode.parse(
            "<returnval xmlns=\"urn:vim25\"><version>8</version><filterSet>"
                + "<objectSet><kind>modify</kind><obj type=\"VirtualMachine\">vm-1</obj>"
                + "<changeSet><name>guest.ipAddress</name><op>remove</op></changeSet>"
                + "<changeSet><name>a</name><op>assign</op><val>poweredOn</val></changeSet>"
                + "<changeSet><name>b</name><op>assign</op><val>poweredOff</val></changeSet>"
                + "</objectSet></filterSet></returnval>");
    var changes = VimVmWatch.UpdateSet.parse(set).objects().get(0).changes();
    assertThat(changes).containsEntry("guest.ipAddress", null);
    assertThat(changes.get("a")).isNotEqualTo(changes.get("b"));
  }

  @Test
  void stampsExistOnlyInStepAndChangeWithTheVmOrASync() {
    AtomicLong session = new AtomicLong(1);
    AtomicLong now = new AtomicLong();
    VimVmWatch.Stamps s = new VimVmWatch.Stamps(session::get, now::get, 100);
    assertThat(s.stamp("vm-1")).isEmpty(); // never synced

    s.changed("vm-1");
    s.synced(1);
    OptionalLong first = s.stamp("vm-1");
    assertThat(first).isPresent();
    assertThat(s.stamp("vm-2")).isEqualTo(first); // nothing changed since the sync

    s.changed("vm-1");
    assertThat(s.stamp("vm-1")).isPresent().isNotEqualTo(first);
    assertThat(s.stamp("vm-2")).isEqualTo(first);

    now.set(101); // silent for longer than a wait may take
    assertThat(s.stamp("vm-2")).isEmpty();
    s.answered();
    assertThat(s.stamp("vm-2")).isEqualTo(first);

    session.set(2); // the client logged in again: the collector died with the old session
    assertThat(s.stamp("vm-2")).isEmpty();
    s.synced(2);
    OptionalLong resynced = s.stamp("vm-2");
    assertThat(resynced).isPresent().isNotEqualTo(first);
    assertThat(s.stamp("vm-1")).isEqualTo(resynced); // a sync changes every stamp

    s.lost();
    assertThat(s.stamp("vm-1")).isEmpty();
  }

  @Test
  void aSyncInTheSameSessionKeepsTheStampsOfWhatDidNotChange() {
    AtomicLong session = new AtomicLong(1);
    AtomicLong now = new AtomicLong();
    VimVmWatch.Stamps s = new VimVmWatch.Stamps(session::get, now::get, 100);
    s.synced(1);
    s.changed("vm-1");
    OptionalLong one = s.stamp("vm-1");
    OptionalLong two = s.stamp("vm-2");

    s.lost(); // a wait timed out on this side: the collector is made again in the same session
    assertThat(s.stamp("vm-2")).isEmpty();
    s.changed("vm-3"); // the new full set differs from what was known of vm-3 only
    s.synced(1);
    assertThat(s.stamp("vm-1")).isEqualTo(one);
    assertThat(s.stamp("vm-2")).isEqualTo(two);
    assertThat(s.stamp("vm-3")).isPresent().isNotEqualTo(two);

    session.set(2);
    s.lost();
    s.synced(2); // a new session: vCenter may have restarted, nothing read before is kept
    assertThat(s.stamp("vm-1")).isPresent().isNotEqualTo(one);
    assertThat(s.stamp("vm-2")).isPresent().isNotEqualTo(two).isEqualTo(s.stamp("vm-1"));
  }

  @Test
  void backOffDoublesFromOneSecondToTen() {
    assertThat(VimVmWatch.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(VimVmWatch.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(VimVmWatch.backoff(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(VimVmWatch.backoff(5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(VimVmWatch.backoff(500)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void theWaitEndsBeforeTheCallTimesOut() {
    assertThat(DefaultVSphereProvider.watchWait(Duration.ofSeconds(120)))
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(DefaultVSphereProvider.watchWait(Duration.ofSeconds(30)))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(DefaultVSphereProvider.watchWait(Duration.ofSeconds(5)))
        .isEqualTo(Duration.ofSeconds(1));
  }
}
