package dev.slipway.vsphere.soap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One object of a RetrievePropertiesEx result: its reference and the properties returned. */
public record ObjectContent(Moref obj, Map<String, XmlNode> props) {

  public Optional<XmlNode> prop(String name) {
    return Optional.ofNullable(props.get(name));
  }

  public Optional<String> text(String name) {
    return prop(name).map(XmlNode::text);
  }

  /** Parses the {@code objects} of a {@code RetrieveResult}; unknown children are ignored. */
  public static List<ObjectContent> parseAll(XmlNode retrieveResult) {
    List<ObjectContent> out = new ArrayList<>();
    for (XmlNode o : retrieveResult.children("objects")) {
      Optional<Moref> ref = o.child("obj").flatMap(Moref::of);
      if (ref.isEmpty()) {
        continue;
      }
      Map<String, XmlNode> props = new LinkedHashMap<>();
      for (XmlNode p : o.children("propSet")) {
        String name = p.childText("name").orElse("");
        p.child("val").ifPresent(v -> props.put(name, v));
      }
      out.add(new ObjectContent(ref.get(), props));
    }
    return out;
  }
}
