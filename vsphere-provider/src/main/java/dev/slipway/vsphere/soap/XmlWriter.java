package dev.slipway.vsphere.soap;

import dev.slipway.vsphere.ManagedRef;

/**
 * Builds the XML of a vim25 request body. Element order follows the vim25 schema (a real vCenter
 * validates sequences); values are escaped; polymorphic values carry {@code xsi:type}.
 */
public final class XmlWriter {

  private final StringBuilder sb = new StringBuilder(256);

  public static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        case '\r' -> out.append("&#13;");
        default -> {
          if (c < 0x20 && c != '\n' && c != '\t') {
            throw new IllegalArgumentException("control character U+" + (int) c + " in XML value");
          }
          out.append(c);
        }
      }
    }
    return out.toString();
  }

  public XmlWriter open(String name) {
    sb.append('<').append(name).append('>');
    return this;
  }

  /** Opens an element with {@code xsi:type}. */
  public XmlWriter open(String name, String xsiType) {
    sb.append('<').append(name).append(" xsi:type=\"").append(escape(xsiType)).append("\">");
    return this;
  }

  public XmlWriter close(String name) {
    sb.append("</").append(name).append('>');
    return this;
  }

  public XmlWriter element(String name, String value) {
    sb.append('<').append(name).append('>').append(escape(value)).append("</").append(name);
    sb.append('>');
    return this;
  }

  public XmlWriter element(String name, long value) {
    return element(name, Long.toString(value));
  }

  public XmlWriter element(String name, boolean value) {
    return element(name, Boolean.toString(value));
  }

  /** An element with {@code xsi:type}, e.g. {@code <value xsi:type="xsd:string">}. */
  public XmlWriter typed(String name, String xsiType, String value) {
    sb.append('<').append(name).append(" xsi:type=\"").append(escape(xsiType)).append("\">");
    sb.append(escape(value)).append("</").append(name).append('>');
    return this;
  }

  /** A ManagedObjectReference: {@code <name type="Folder">group-v3</name>}. */
  public XmlWriter ref(String name, ManagedRef ref) {
    return ref(name, ref.type(), ref.moref());
  }

  public XmlWriter ref(String name, String type, String moref) {
    sb.append('<').append(name).append(" type=\"").append(escape(type)).append("\">");
    sb.append(escape(moref)).append("</").append(name).append('>');
    return this;
  }

  /** Appends already-built XML. */
  public XmlWriter raw(String xml) {
    sb.append(xml);
    return this;
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
