package dev.slipway.operator.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApiEndpoint {
  @JsonPropertyDescription("Host name or IP address of the cluster's Kubernetes API.")
  public String host;

  @JsonPropertyDescription("Port of the cluster's Kubernetes API.")
  public Integer port;

  public ApiEndpoint() {}

  public ApiEndpoint(String host, int port) {
    this.host = host;
    this.port = port;
  }
}
