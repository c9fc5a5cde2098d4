package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.pods) || !has(self.services) || !has(self.pods.cidrBlocks)"
            + " || !has(self.services.cidrBlocks) || self.pods.cidrBlocks.all(p,"
            + " self.services.cidrBlocks.all(s, !isCIDR(p) || !isCIDR(s)"
            + " || (!cidr(p).containsCIDR(cidr(s)) && !cidr(s).containsCIDR(cidr(p)))))",
    message = "spec.settings.network.pods.cidrBlocks and services.cidrBlocks must not overlap")
public class Network {
  @JsonPropertyDescription("The CNI plugin; antrea or calico. Default antrea.")
  public Cni cni;

  @JsonPropertyDescription("Address ranges for Pods. Default 192.168.0.0/16.")
  public CidrBlocks pods;

  @JsonPropertyDescription("Address ranges for Services. Default 10.96.0.0/12.")
  public CidrBlocks services;

  @Size(max = 253)
  @ValidationRule(
      value =
          "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",
      message = "spec.settings.network.serviceDomain must be a DNS domain such as cluster.local")
  @JsonPropertyDescription("DNS domain of Services. Default cluster.local.")
  public String serviceDomain;

  @JsonPropertyDescription("HTTP(S) proxy the nodes use to reach the outside.")
  public Proxy proxy;

  @JsonPropertyDescription("Extra certificate authorities the nodes trust.")
  public Trust trust;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Cni {
    @Required
    @JsonPropertyDescription("Name of the CNI: antrea or calico.")
    public CniName name;
  }

  public enum CniName {
    antrea,
    calico
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class CidrBlocks {
    @Size(min = 1, max = 4)
    @ValidationRule(
        value = "self.all(c, isCIDR(c))",
        message = "cidrBlocks entries must be CIDRs such as 10.96.0.0/12 or fd00::/108")
    @JsonPropertyDescription("CIDR blocks, e.g. [\"192.168.0.0/16\"].")
    public List<@Size(max = 43) String> cidrBlocks;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Proxy {
    @Size(max = 2048)
    @ValidationRule(
        value = "isURL(self)",
        message = "spec.settings.network.proxy.httpProxy must be a URL such as http://proxy:3128")
    @JsonPropertyDescription("Proxy for HTTP, e.g. http://proxy.example.com:3128.")
    public String httpProxy;

    @Size(max = 2048)
    @ValidationRule(
        value = "isURL(self)",
        message = "spec.settings.network.proxy.httpsProxy must be a URL such as http://proxy:3128")
    @JsonPropertyDescription("Proxy for HTTPS, e.g. http://proxy.example.com:3128.")
    public String httpsProxy;

    @Size(max = 64)
    @JsonPropertyDescription(
        "Hosts, domains and CIDRs reached without the proxy; the pod and service ranges and the"
            + " service domain are added automatically.")
    public List<String> noProxy;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Trust {
    @Size(max = 16)
    @ValidationRule(
        value = "self.all(c, self.exists_one(d, d.name == c.name))",
        message = "spec.settings.network.trust.additionalTrustedCAs[].name must be unique")
    @JsonPropertyDescription("Certificate authorities added to every node's trust store.")
    public List<TrustedCA> additionalTrustedCAs;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TrustedCA {
    @Required
    @Size(max = 63)
    @JsonPropertyDescription("Name of the certificate authority.")
    public String name;

    @Required
    @Size(max = 65536)
    @ValidationRule(
        value = "self.matches('^[A-Za-z0-9+/]+={0,2}$')",
        message =
            "spec.settings.network.trust.additionalTrustedCAs[].data must be a base64-encoded"
                + " PEM certificate")
    @JsonPropertyDescription("The PEM certificate, base64-encoded.")
    public String data;
  }
}
