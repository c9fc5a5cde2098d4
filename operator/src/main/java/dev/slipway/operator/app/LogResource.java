package dev.slipway.operator.app;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Map;
import net.logstash.logback.composite.AbstractJsonProvider;

/**
 * The object a log line is about, from the MDC that JOSDK fills while it reconciles ({@code
 * resource.namespace}, {@code resource.name}, {@code resource.kind}). JOSDK writes "no namespace"
 * for cluster-scoped objects; that is shown as no namespace at all.
 */
public final class LogResource extends ClassicConverter {
  static final String NAMESPACE = "resource.namespace";
  static final String NAME = "resource.name";
  static final String KIND = "resource.kind";
  private static final String JOSDK_NO_NAMESPACE = "no namespace";

  /** {@code %resource} in a pattern: "namespace/name " or "name ", or nothing. */
  @Override
  public String convert(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap();
    String name = mdc.get(NAME);
    if (name == null) {
      return "";
    }
    String ns = namespace(mdc);
    return ns == null ? name + " " : ns + "/" + name + " ";
  }

  static String namespace(Map<String, String> mdc) {
    String ns = mdc.get(NAMESPACE);
    return ns == null || ns.equals(JOSDK_NO_NAMESPACE) ? null : ns;
  }

  /** The same as JSON fields {@code namespace}, {@code name}, {@code kind}. */
  public static final class JsonFields extends AbstractJsonProvider<ILoggingEvent> {
    @Override
    public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
      Map<String, String> mdc = event.getMDCPropertyMap();
      String name = mdc.get(NAME);
      if (name == null) {
        return;
      }
      String ns = namespace(mdc);
      if (ns != null) {
        generator.writeStringField("namespace", ns);
      }
      generator.writeStringField("name", name);
      if (mdc.get(KIND) != null) {
        generator.writeStringField("kind", mdc.get(KIND));
      }
    }
  }
}
