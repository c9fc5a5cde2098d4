package dev.slipway.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Heartbeat;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.Recorded;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.soap.Moref;
import dev.slipway.vsphere.soap.ObjectContent;
import dev.slipway.vsphere.soap.SoapClient;
import dev.slipway.vsphere.soap.XmlNode;
import dev.slipway.vsphere.soap.XmlWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** VM state, task info and request bodies on recorded vcsim XML with unmodelled content. */
class VimParsingTest {

  @Test
  void vmStateIsReadFromPropertiesFullOfUnknownElements() {
    XmlNode r =
        SoapClient.response("RetrievePropertiesEx", 200, Recorded.read("vm-properties.xml"));
    List<ObjectContent> objects = ObjectContent.parseAll(r.child("returnval").orElseThrow());
    assertThat(objects).hasSize(1);
    ObjectContent o = objects.get(0);
    assertThat(o.obj()).isEqualTo(new Moref("VirtualMachine", "vm-62"));
    assertThat(o.props()).containsKey("config.futureProperty"); // kept, never interpreted

    VmState s = VimMachines.toState(new VmRef("vm-62"), o, Map.of("slipway.dev/managed", "true"));
    assertThat(s.name()).isEqualTo("DC0_H0_VM0");
    assertThat(s.powerState()).isEqualTo(PowerState.ON);
    assertThat(s.template()).isFalse();
    assertThat(s.biosUuid()).isEqualTo("63d40cc5-9cba-5cc1-884a-f7f19070ecea");
    assertThat(s.instanceUuid()).isEqualTo("b170c191-7587-5f8e-9a15-08c6a0a11ca5");
    assertThat(s.ipAddresses()).containsExactly("10.0.0.42", "fe80::1");
    assertThat(s.heartbeat()).isEqualTo(Heartbeat.GREEN);
    assertThat(s.extraConfig())
        .containsEntry("govcsim", "TRUE")
        .containsEntry("guestinfo.metadata.encoding", "base64") // an unknown OptionValue subtype
        .containsEntry("numa.nodeAffinity", "0"); // an xsd:int value
    assertThat(s.cpus()).isEqualTo(1);
    assertThat(s.memoryMiB()).isEqualTo(32);
    assertThat(s.folder()).isEqualTo(new FolderRef("group-2"));
    assertThat(s.resourcePool()).isEqualTo(new PoolRef("resgroup-23"));
    assertThat(s.diskCapacitiesMiB()).containsExactly(10240L); // unknown device type skipped
    assertThat(s.customAttributes()).containsEntry("slipway.dev/managed", "true");
    assertThat(s.annotation()).isEmpty();
  }

  @Test
  void customValuesWithUnknownSubtypesAreRead() {
    XmlNode r =
        SoapClient.response("RetrievePropertiesEx", 200, Recorded.read("vm-properties.xml"));
    ObjectContent o = ObjectContent.parseAll(r.child("returnval").orElseThrow()).get(0);
    List<XmlNode> values = o.prop("customValue").orElseThrow().children();
    assertThat(values).extracting(v -> v.childText("key").orElse("")).containsExactly("101", "102");
    assertThat(values.get(1).xsiType()).contains("FutureCustomFieldValue");
  }

  @Test
  void failedTaskInfoBecomesATypedFault() {
    XmlNode r =
        SoapClient.response("RetrievePropertiesEx", 200, Recorded.read("task-info-error.xml"));
    XmlNode info =
        ObjectContent.parseAll(r.child("returnval").orElseThrow())
            .get(0)
            .prop("info")
            .orElseThrow();
    TaskState s = VimMachines.parseTaskInfo(info);
    assertThat(s.status()).isEqualTo(TaskState.Status.ERROR);
    assertThat(s.error()).isPresent();
    assertThat(s.error().get().kind()).isEqualTo(FaultKind.INVALID_POWER_STATE);
    assertThat(s.error().get().type()).isEqualTo("InvalidPowerState");
    // vcsim's localizedMessage is a Go type name; the fault's fields say what happened.
    assertThat(s.error().get().message())
        .contains("existingState=poweredOn")
        .contains("requestedState=poweredOff");
  }

  @Test
  void successfulTaskInfoCarriesTheResultMoref() {
    XmlNode info =
        XmlNode.parse(
            "<info xmlns=\"urn:vim25\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                + "<key>task-9</key><state>success</state><futureField>1</futureField>"
                + "<result type=\"VirtualMachine\" xsi:type=\"ManagedObjectReference\">vm-77"
                + "</result><progress>100</progress></info>");
    TaskState s = VimMachines.parseTaskInfo(info);
    assertThat(s.status()).isEqualTo(TaskState.Status.SUCCESS);
    assertThat(s.result()).contains("vm-77");
    assertThat(
            VimMachines.parseTaskInfo(
                    XmlNode.parse("<info><state>running</state><progress>40</progress></info>"))
                .progress())
        .isEqualTo(40);
    assertThat(
            VimMachines.parseTaskInfo(XmlNode.parse("<info><state>queued</state></info>")).status())
        .isEqualTo(TaskState.Status.QUEUED);
  }

  @Test
  void configSpecIsWrittenInSchemaOrderWithTypedOptionValues() {
    XmlWriter w = new XmlWriter();
    VimMachines.configSpec(
        w,
        VmConfigSpec.builder()
            .extraConfig("guestinfo.userdata", "I2Nsb3VkLWNvbmZpZwo=")
            .memoryMiB(4096)
            .annotation("a & b")
            .cpus(2)
            .instanceUuid("6f1c1d7e-0000-4000-8000-000000000001")
            .build(),
        "<deviceChange/>");
    String xml = w.toString();
    assertThat(xml)
        .isEqualTo(
            "<instanceUuid>6f1c1d7e-0000-4000-8000-000000000001</instanceUuid>"
                + "<annotation>a &amp; b</annotation><numCPUs>2</numCPUs>"
                + "<memoryMB>4096</memoryMB><deviceChange/><extraConfig>"
                + "<key>guestinfo.userdata</key>"
                + "<value xsi:type=\"xsd:string\">I2Nsb3VkLWNvbmZpZwo=</value></extraConfig>");
  }

  @Test
  void powerStateAndHeartbeatAreLenient() {
    assertThat(VimMachines.powerState("suspended")).isEqualTo(PowerState.SUSPENDED);
    assertThat(VimMachines.powerState("poweredOff")).isEqualTo(PowerState.OFF);
    assertThat(VimMachines.heartbeat("yellow")).isEqualTo(Heartbeat.YELLOW);
    assertThat(VimMachines.heartbeat("purple")).isEqualTo(Heartbeat.GRAY);
    assertThat(VimMachines.heartbeat("")).isEqualTo(Heartbeat.GRAY);
  }

  @Test
  void inventoryPathsAcceptLeadingAndTrailingSlashes() {
    assertThat(Vim.normalizePath("/DC0/vm/")).isEqualTo("DC0/vm");
    assertThat(Vim.normalizePath("DC0/host/DC0_C0/Resources"))
        .isEqualTo("DC0/host/DC0_C0/Resources");
  }
}
