package dev.slipway.vsphere.soap;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * A lenient, read-only view of an XML element: children are looked up by local name, anything not
 * asked for is ignored, and {@code xsi:type} is available (without its prefix) for polymorphic
 * values. This is what makes the client immune to elements and types newer than it knows.
 */
public final class XmlNode {

  public static final String XSI = XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI;

  private static final DocumentBuilderFactory FACTORY = newFactory();

  private final Element element;

  private XmlNode(Element element) {
    this.element = element;
  }

  private static DocumentBuilderFactory newFactory() {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setExpandEntityReferences(false);
    f.setXIncludeAware(false);
    try {
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("JDK XML parser lacks secure processing", e);
    }
    return f;
  }

  /** Parses a document; throws {@link IllegalArgumentException} if it is not well-formed XML. */
  public static XmlNode parse(String xml) {
    try {
      DocumentBuilder b = FACTORY.newDocumentBuilder();
      b.setErrorHandler(null);
      Document d = b.parse(new InputSource(new StringReader(xml)));
      return new XmlNode(d.getDocumentElement());
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
    }
  }

  /** The element's local name (no prefix). */
  public String name() {
    String local = element.getLocalName();
    return local != null ? local : element.getTagName();
  }

  /** The concatenated text content, trimmed of nothing (vSphere values are significant). */
  public String text() {
    return element.getTextContent();
  }

  /** The value of {@code xsi:type} without its namespace prefix, if present. */
  public Optional<String> xsiType() {
    String t = element.getAttributeNS(XSI, "type");
    if (t == null || t.isEmpty()) {
      return Optional.empty();
    }
    int colon = t.indexOf(':');
    return Optional.of(colon >= 0 ? t.substring(colon + 1) : t);
  }

  /** An attribute without namespace, e.g. {@code type} of a ManagedObjectReference. */
  public Optional<String> attribute(String name) {
    return element.hasAttribute(name) ? Optional.of(element.getAttribute(name)) : Optional.empty();
  }

  /** All element children, in document order. */
  public List<XmlNode> children() {
    List<XmlNode> out = new ArrayList<>();
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        out.add(new XmlNode(e));
      }
    }
    return out;
  }

  /** All element children with this local name, in document order. */
  public List<XmlNode> children(String localName) {
    List<XmlNode> out = new ArrayList<>();
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && localName.equals(localNameOf(e))) {
        out.add(new XmlNode(e));
      }
    }
    return out;
  }

  /** The first element child with this local name. */
  public Optional<XmlNode> child(String localName) {
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && localName.equals(localNameOf(e))) {
        return Optional.of(new XmlNode(e));
      }
    }
    return Optional.empty();
  }

  /** Follows a path of child names, e.g. {@code path("info", "error", "fault")}. */
  public Optional<XmlNode> path(String... localNames) {
    Optional<XmlNode> cur = Optional.of(this);
    for (String n : localNames) {
      cur = cur.flatMap(c -> c.child(n));
    }
    return cur;
  }

  /** Text of the first child with this name, if any. */
  public Optional<String> childText(String localName) {
    return child(localName).map(XmlNode::text);
  }

  /** All descendants (depth-first) with this local name, this node excluded. */
  public List<XmlNode> descendants(String localName) {
    List<XmlNode> out = new ArrayList<>();
    collect(element, localName, out);
    return out;
  }

  private static void collect(Element e, String localName, List<XmlNode> out) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c) {
        if (localName.equals(localNameOf(c))) {
          out.add(new XmlNode(c));
        }
        collect(c, localName, out);
      }
    }
  }

  private static String localNameOf(Element e) {
    String local = e.getLocalName();
    return local != null ? local : e.getTagName();
  }

  @Override
  public String toString() {
    return "<" + name() + ">";
  }
}
