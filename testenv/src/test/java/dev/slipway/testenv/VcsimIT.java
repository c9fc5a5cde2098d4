package dev.slipway.testenv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Proves the simulator is govmomi's vCenter: raw vim25 SOAP (no client library) and the REST
 * session API, over TLS that trusts only the simulator's certificate.
 */
class VcsimIT {

  static final String VIM25 = "urn:vim25";
  static Vcsim vcsim;

  @BeforeAll
  static void start() {
    vcsim = Vcsim.start();
  }

  @AfterAll
  static void stop() {
    vcsim.close();
  }

  private HttpClient http() {
    return HttpClient.newBuilder()
        .sslContext(vcsim.sslContext())
        .cookieHandler(new CookieManager())
        .build();
  }

  private static String envelope(String body) {
    return "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
        + body
        + "</soapenv:Body></soapenv:Envelope>";
  }

  private HttpResponse<String> soap(HttpClient http, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(vcsim.sdkUrl())
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", "urn:vim25/8.0.3.0")
            .POST(HttpRequest.BodyPublishers.ofString(envelope(body)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static String first(Document d, String local) {
    NodeList l = d.getElementsByTagNameNS(VIM25, local);
    assertThat(l.getLength()).as("element %s in response", local).isPositive();
    return l.item(0).getTextContent();
  }

  private Map<String, String> serviceContent(HttpClient http) throws Exception {
    HttpResponse<String> r =
        soap(
            http,
            "<RetrieveServiceContent xmlns=\"urn:vim25\">"
                + "<_this type=\"ServiceInstance\">ServiceInstance</_this></RetrieveServiceContent>");
    assertThat(r.statusCode()).isEqualTo(200);
    Document d = parse(r.body());
    return Map.of(
        "sessionManager", first(d, "sessionManager"),
        "rootFolder", first(d, "rootFolder"),
        "viewManager", first(d, "viewManager"),
        "propertyCollector", first(d, "propertyCollector"));
  }

  private HttpResponse<String> login(HttpClient http, String sm, String password) throws Exception {
    return soap(
        http,
        "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">"
            + sm
            + "</_this><userName>"
            + vcsim.username()
            + "</userName><password>"
            + password
            + "</password></Login>");
  }

  @Test
  void soapLoginReturnsSessionAndListsTheDefaultVms() throws Exception {
    HttpClient http = http();
    Map<String, String> sc = serviceContent(http);

    HttpResponse<String> login = login(http, sc.get("sessionManager"), vcsim.password());
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(first(parse(login.body()), "userName")).isEqualTo(vcsim.username());
    assertThat(login.headers().allValues("set-cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("vmware_soap_session="));

    HttpResponse<String> view =
        soap(
            http,
            "<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">"
                + sc.get("viewManager")
                + "</_this><container type=\"Folder\">"
                + sc.get("rootFolder")
                + "</container><type>VirtualMachine</type><recursive>true</recursive>"
                + "</CreateContainerView>");
    assertThat(view.statusCode()).isEqualTo(200);
    String viewRef = first(parse(view.body()), "returnval");

    HttpResponse<String> props =
        soap(
            http,
            "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                + sc.get("propertyCollector")
                + "</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet>"
                + "</propSet><objectSet><obj type=\"ContainerView\">"
                + viewRef
                + "</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\">"
                + "<type>ContainerView</type><path>view</path><skip>false</skip></selectSet>"
                + "</objectSet></specSet><options/></RetrievePropertiesEx>");
    assertThat(props.statusCode()).isEqualTo(200);
    NodeList vals = parse(props.body()).getElementsByTagNameNS(VIM25, "val");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < vals.getLength(); i++) {
      names.add(vals.item(i).getTextContent());
    }
    assertThat(names).contains("DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1");
  }

  @Test
  void wrongPasswordGetsInvalidLoginFault() throws Exception {
    HttpClient http = http();
    HttpResponse<String> r =
        login(http, serviceContent(http).get("sessionManager"), "not-" + vcsim.password());
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("InvalidLogin").contains("faultstring");
  }

  @Test
  void injectedFaultFailsTheNamedMethodOnce() throws Exception {
    HttpClient http = http();
    Map<String, String> sc = serviceContent(http);
    vcsim.addFault("Login", "NoPermission", "injected by VcsimIT", 1);
    try {
      HttpResponse<String> failed = login(http, sc.get("sessionManager"), vcsim.password());
      assertThat(failed.statusCode()).isEqualTo(500);
      assertThat(failed.body()).contains("injected by VcsimIT");
      assertThat(login(http, sc.get("sessionManager"), vcsim.password()).statusCode())
          .isEqualTo(200);
    } finally {
      vcsim.clearFaults();
    }
  }

  @Test
  void restSessionIsCreatedAndUsed() throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(vcsim.sslContext()).build();
    URI session = vcsim.baseUrl().resolve("/rest/com/vmware/cis/session");
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (vcsim.username() + ":" + vcsim.password()).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(session)
                .header("Authorization", "Basic " + basic)
                .header("vmware-use-header-authn", "true")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(200);
    String id =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(created.body())
            .get("value")
            .asText();
    assertThat(id).isNotBlank();

    URI libraries = vcsim.baseUrl().resolve("/rest/com/vmware/content/library");
    HttpResponse<String> withSession =
        http.send(
            HttpRequest.newBuilder(libraries).header("vmware-api-session-id", id).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withSession.statusCode()).isEqualTo(200);
    assertThat(withSession.body()).contains("\"value\"");

    HttpResponse<String> without =
        http.send(
            HttpRequest.newBuilder(libraries).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(without.statusCode()).isEqualTo(401);
  }
}
