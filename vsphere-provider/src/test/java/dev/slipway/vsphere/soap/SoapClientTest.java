package dev.slipway.vsphere.soap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.Recorded;
import dev.slipway.vsphere.VSphereException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The SOAP layer on recorded responses, including elements and types it does not model. */
class SoapClientTest {

  private static final String ENV =
      "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
          + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>%s"
          + "</soapenv:Body></soapenv:Envelope>";

  private static Consumer<VSphereException> kind(FaultKind k) {
    return e -> assertThat(e.kind()).isEqualTo(k);
  }

  @Test
  void serviceContentWithUnknownManagersAndFieldsIsParsed() {
    XmlNode r =
        SoapClient.response("RetrieveServiceContent", 200, Recorded.read("service-content.xml"));
    assertThat(r.name()).isEqualTo("RetrieveServiceContentResponse");
    // The recording has vStorageObjectManager, cryptoManager, tenantManager (which break
    // yavijava 6) plus a made-up quantumManager and an xsi:typed futureCapability.
    assertThat(r.descendants("vStorageObjectManager")).hasSize(1);
    assertThat(r.descendants("quantumManager")).hasSize(1);
    ServiceContent sc = ServiceContent.parse(r.child("returnval").orElseThrow());
    assertThat(sc.rootFolder()).isEqualTo(new Moref("Folder", "group-d1"));
    assertThat(sc.propertyCollector())
        .isEqualTo(new Moref("PropertyCollector", "propertyCollector"));
    assertThat(sc.searchIndex()).isEqualTo(new Moref("SearchIndex", "SearchIndex"));
    assertThat(sc.sessionManager()).isEqualTo(new Moref("SessionManager", "SessionManager"));
    assertThat(sc.customFieldsManager())
        .isEqualTo(new Moref("CustomFieldsManager", "CustomFieldsManager"));
    assertThat(sc.fullName()).startsWith("VMware vCenter Server");
    assertThat(sc.apiVersion()).isEqualTo("6.5");
    assertThat(sc.instanceUuid()).isNotBlank();
  }

  @Test
  void xsiTypeIsReadWhateverThePrefix() {
    // vcsim writes xsi:type with the prefix "_XMLSchema-instance"; only the namespace counts.
    XmlNode r =
        SoapClient.response("RetrievePropertiesEx", 200, Recorded.read("vm-properties.xml"));
    XmlNode val = r.descendants("val").get(0);
    assertThat(val.xsiType()).contains("string");
    assertThat(r.descendants("VirtualDevice"))
        .anySatisfy(d -> assertThat(d.xsiType()).contains("VirtualQuantumEntangler"));
  }

  @Test
  void faultWithKnownTypeIsTyped() {
    String body =
        String.format(
            ENV,
            "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The name"
                + " &apos;ns-a&apos; already exists.</faultstring><detail><DuplicateNameFault"
                + " xmlns=\"urn:vim25\" xsi:type=\"DuplicateName\"><name>ns-a</name><object"
                + " type=\"Folder\">group-v7</object><futureDetail><x>1</x></futureDetail>"
                + "</DuplicateNameFault></detail></soapenv:Fault>");
    assertThatThrownBy(() -> SoapClient.response("CreateFolder", 500, body))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.ALREADY_EXISTS);
              assertThat(e.faultType()).isEqualTo("DuplicateName");
              assertThat(e.vcenterMessage())
                  .isEqualTo("CreateFolder: The name 'ns-a' already" + " exists.");
            });
  }

  @Test
  void recordedInvalidLoginIsNotAuthenticated() {
    String body =
        String.format(
            ENV,
            "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Login failure"
                + "</faultstring><detail><InvalidLoginFault xmlns=\"urn:vim25\""
                + " xsi:type=\"InvalidLogin\"></InvalidLoginFault></detail></soapenv:Fault>");
    assertThatThrownBy(() -> SoapClient.response("Login", 500, body))
        .isInstanceOfSatisfying(VSphereException.class, kind(FaultKind.NOT_AUTHENTICATED));
  }

  @Test
  void faultOfUnknownTypeIsOtherWithTheMessage() {
    String body =
        String.format(
            ENV,
            "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Quantum flux"
                + "</faultstring><detail><QuantumFluxFault xmlns=\"urn:vim25\""
                + " xsi:type=\"QuantumFlux\"><level>9</level></QuantumFluxFault></detail>"
                + "</soapenv:Fault>");
    assertThatThrownBy(() -> SoapClient.response("PowerOnVM_Task", 500, body))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.OTHER);
              assertThat(e.faultType()).isEqualTo("QuantumFlux");
              assertThat(e.getMessage()).contains("Quantum flux");
            });
  }

  @Test
  void faultWithoutXsiTypeUsesTheElementName() {
    String body =
        String.format(
            ENV,
            "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>gone</faultstring>"
                + "<detail><ManagedObjectNotFoundFault xmlns=\"urn:vim25\"><obj type=\"Task\">"
                + "task-1</obj></ManagedObjectNotFoundFault></detail></soapenv:Fault>");
    assertThatThrownBy(() -> SoapClient.response("RetrievePropertiesEx", 500, body))
        .isInstanceOfSatisfying(VSphereException.class, kind(FaultKind.NOT_FOUND));
  }

  @Test
  void httpErrorsWithoutEnvelopeAreTransientOrTyped() {
    assertThatThrownBy(() -> SoapClient.response("Login", 503, "<html>Service Unavailable"))
        .isInstanceOfSatisfying(VSphereException.class, kind(FaultKind.TRANSIENT));
    assertThatThrownBy(() -> SoapClient.response("Login", 200, "not xml at all"))
        .isInstanceOfSatisfying(VSphereException.class, kind(FaultKind.TRANSIENT));
    assertThatThrownBy(() -> SoapClient.response("Login", 404, "<a/>"))
        .isInstanceOfSatisfying(VSphereException.class, kind(FaultKind.OTHER));
  }

  @Test
  void doctypeIsRefused() {
    String evil =
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + "<x>&e;</x>";
    assertThatThrownBy(() -> XmlNode.parse(evil)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void vimVersionIsReadFromServiceVersions() {
    assertThat(SoapClient.parseVersion(Recorded.read("vim-service-versions.xml"))).contains("6.5");
    String real =
        "<namespaces version=\"1.0\"><namespace><name>urn:vim2</name><version>2.0</version>"
            + "</namespace><namespace><name>urn:vim25</name><version>8.0.3.0</version>"
            + "<priorVersions><version>8.0.2.0</version></priorVersions><future/></namespace>"
            + "</namespaces>";
    assertThat(SoapClient.parseVersion(real)).contains("8.0.3.0");
    assertThat(SoapClient.parseVersion("<namespaces/>")).isEmpty();
  }

  @Test
  void sessionCookieIsTakenFromSetCookie() {
    assertThat(SoapClient.sessionCookie("vmware_soap_session=\"abc123\"; Path=/; HttpOnly"))
        .contains("abc123");
    assertThat(SoapClient.sessionCookie("vmware_soap_session=abc; Path=/")).contains("abc");
    assertThat(SoapClient.sessionCookie("other=1; Path=/")).isEmpty();
  }

  @Test
  void writerEscapesAndTypesValues() {
    String xml =
        new XmlWriter()
            .ref("_this", "VirtualMachine", "vm-1")
            .element("annotation", "a <b> & \"c\"")
            .typed("value", "xsd:string", "x'y")
            .toString();
    assertThat(xml)
        .isEqualTo(
            "<_this type=\"VirtualMachine\">vm-1</_this><annotation>a &lt;b&gt; &amp;"
                + " &quot;c&quot;</annotation><value xsi:type=\"xsd:string\">x&apos;y</value>");
    // Escaped text reads back as it was written.
    XmlNode back =
        XmlNode.parse("<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">" + xml + "</r>");
    assertThat(back.childText("annotation")).contains("a <b> & \"c\"");
    assertThatThrownBy(() -> XmlWriter.escape("bell\u0007"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void envelopeDeclaresTheNamespacesTypedValuesNeed() {
    String env = SoapClient.envelope("ReconfigVM_Task", "<x/>");
    assertThat(env)
        .contains("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
        .contains("xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"")
        .contains("<ReconfigVM_Task xmlns=\"urn:vim25\"><x/></ReconfigVM_Task>");
    assertThat(XmlNode.parse(env).child("Body").orElseThrow().children().get(0).name())
        .isEqualTo("ReconfigVM_Task");
  }
}
