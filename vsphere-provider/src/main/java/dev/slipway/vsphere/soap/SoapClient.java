package dev.slipway.vsphere.soap;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.internal.CallCounter;
import dev.slipway.vsphere.internal.Faults;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vim25 over HTTP: wraps a body in a SOAP envelope, sends it with {@code SOAPAction:
 * urn:vim25/<version>} and the session cookie, and returns the response element or throws a typed
 * {@link VSphereException} built from the SOAP fault. Knows nothing about sessions beyond carrying
 * the cookie. Request bodies are never logged (Login carries the password).
 */
public final class SoapClient {

  public static final String VIM25 = "urn:vim25";
  public static final String COOKIE = "vmware_soap_session";
  private static final Logger LOG = LoggerFactory.getLogger(SoapClient.class);

  private final HttpClient http;
  private final URI sdkUrl;
  private final Duration timeout;
  private final CallCounter counter;
  private volatile String version = "8.0.0.0";
  private volatile String cookie;

  public SoapClient(HttpClient http, URI sdkUrl, Duration timeout, CallCounter counter) {
    this.http = http;
    this.sdkUrl = sdkUrl;
    this.timeout = timeout;
    this.counter = counter;
  }

  /**
   * Reads {@code /sdk/vimServiceVersions.xml} and uses the newest {@code urn:vim25} version it
   * lists for SOAPAction. Keeps the default if the file is missing.
   */
  public String negotiateVersion() {
    URI u = sdkUrl.resolve("/sdk/vimServiceVersions.xml");
    counter.increment("GET /sdk/vimServiceVersions.xml");
    HttpResponse<String> r;
    try {
      r =
          http.send(
              HttpRequest.newBuilder(u).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw Faults.transport("GET " + u, e);
    } catch (InterruptedException e) {
      throw Faults.interrupted("GET " + u, e);
    }
    if (r.statusCode() == 200) {
      parseVersion(r.body()).ifPresent(v -> version = v);
    } else if (r.statusCode() >= 500) {
      throw new VSphereException(
          FaultKind.TRANSIENT, "HTTP " + r.statusCode(), "GET " + u + " -> " + r.statusCode());
    } else {
      LOG.info("{} -> HTTP {}; using SOAPAction urn:vim25/{}", u, r.statusCode(), version);
    }
    return version;
  }

  /** The {@code urn:vim25} version from a vimServiceVersions.xml document. */
  public static Optional<String> parseVersion(String xml) {
    XmlNode root = XmlNode.parse(xml);
    for (XmlNode ns : root.children("namespace")) {
      if (VIM25.equals(ns.childText("name").map(String::trim).orElse(""))) {
        return ns.childText("version").map(String::trim).filter(s -> !s.isEmpty());
      }
    }
    return Optional.empty();
  }

  public String version() {
    return version;
  }

  public Optional<String> cookie() {
    return Optional.ofNullable(cookie);
  }

  public void setCookie(String cookie) {
    this.cookie = cookie;
  }

  /** The envelope for {@code <method xmlns="urn:vim25">body</method>}. */
  public static String envelope(String method, String body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
        + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><"
        + method
        + " xmlns=\"urn:vim25\">"
        + body
        + "</"
        + method
        + "></soapenv:Body></soapenv:Envelope>";
  }

  /**
   * Calls {@code method} with the already-built inner XML {@code body} (starting with {@code
   * <_this>}) and returns the {@code <methodResponse>} element.
   */
  public XmlNode call(String method, String body) {
    counter.increment(method);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(sdkUrl)
            .timeout(timeout)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", "urn:vim25/" + version)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    envelope(method, body), StandardCharsets.UTF_8));
    String c = cookie;
    if (c != null) {
      b.header("Cookie", COOKIE + "=" + c);
    }
    long start = System.nanoTime();
    boolean failed = true;
    try {
      HttpResponse<String> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw Faults.transport(method, e);
      } catch (InterruptedException e) {
        throw Faults.interrupted(method, e);
      }
      LOG.debug(
          "{} -> HTTP {} in {} ms",
          method,
          r.statusCode(),
          (System.nanoTime() - start) / 1_000_000);
      for (String sc : r.headers().allValues("set-cookie")) {
        sessionCookie(sc).ifPresent(v -> cookie = v);
      }
      XmlNode result = response(method, r.statusCode(), r.body());
      failed = false;
      return result;
    } finally {
      counter.completed(method, start, failed);
    }
  }

  /** The value of a {@code vmware_soap_session} Set-Cookie header, if it is one. */
  public static Optional<String> sessionCookie(String setCookie) {
    String first = setCookie.split(";", 2)[0].trim();
    if (first.startsWith(COOKIE + "=")) {
      String v = first.substring(COOKIE.length() + 1);
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
        v = v.substring(1, v.length() - 1);
      }
      return Optional.of(v);
    }
    return Optional.empty();
  }

  /** Parses a SOAP response: the method's response element, or a typed exception. */
  public static XmlNode response(String method, int status, String body) {
    XmlNode env;
    try {
      env = XmlNode.parse(body);
    } catch (IllegalArgumentException e) {
      FaultKind kind = Faults.ofHttpStatus(status);
      throw new VSphereException(
          kind == FaultKind.OTHER && status == 200 ? FaultKind.TRANSIENT : kind,
          "HTTP " + status,
          method + ": HTTP " + status + " without a SOAP envelope",
          e);
    }
    XmlNode soapBody =
        env.child("Body")
            .orElseThrow(
                () ->
                    new VSphereException(
                        FaultKind.OTHER, "HTTP " + status, method + ": SOAP envelope has no Body"));
    Optional<XmlNode> fault = soapBody.child("Fault");
    if (fault.isPresent()) {
      throw fault(method, fault.get());
    }
    if (status != 200) {
      throw new VSphereException(
          Faults.ofHttpStatus(status), "HTTP " + status, method + ": HTTP " + status);
    }
    List<XmlNode> children = soapBody.children();
    if (children.isEmpty()) {
      throw new VSphereException(FaultKind.OTHER, "", method + ": empty SOAP Body");
    }
    return children.get(0);
  }

  /** A SOAP Fault as a typed exception: the type comes from the detail's xsi:type or name. */
  public static VSphereException fault(String method, XmlNode fault) {
    String message = fault.childText("faultstring").orElse("").trim();
    String type =
        fault
            .child("detail")
            .flatMap(d -> d.children().stream().findFirst())
            .map(d -> d.xsiType().orElseGet(() -> stripFault(d.name())))
            .orElse(fault.childText("faultcode").orElse(""));
    if (message.isEmpty()) {
      message = type;
    }
    return new VSphereException(Faults.ofVimType(type), type, method + ": " + message);
  }

  private static String stripFault(String elementName) {
    return elementName.endsWith("Fault") && elementName.length() > 5
        ? elementName.substring(0, elementName.length() - 5)
        : elementName;
  }
}
