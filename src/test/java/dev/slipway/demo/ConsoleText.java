package dev.slipway.demo;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Text made fit for the demo's console: one line, no terminal escape sequences or other control
 * characters. Whatever a library or a guest's processes put in a message (colours, a multi-line
 * error with a stack trace) must not reach the console; the whole of it is in the log file.
 */
final class ConsoleText {
  private ConsoleText() {}

  /** CSI (colours, cursor moves), OSC (titles, links), then any other two-byte escape. */
  private static final Pattern ESCAPES =
      Pattern.compile("\\x1B(?:\\[[0-?]*[ -/]*[@-~]|\\][^\\x07\\x1B]*(?:\\x07|\\x1B\\\\)?|[ -~])");

  private static final Pattern CONTROLS = Pattern.compile("\\p{Cc}");

  /**
   * The first non-blank line of {@code text}, cleaned; when more lines followed, a note that the
   * log has them.
   */
  static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    List<String> lines =
        ESCAPES
            .matcher(text)
            .replaceAll("")
            .lines()
            .map(l -> CONTROLS.matcher(l.replace('\t', ' ')).replaceAll("").strip())
            .filter(l -> !l.isEmpty())
            .toList();
    if (lines.isEmpty()) {
      return "";
    }
    return lines.size() == 1
        ? lines.get(0)
        : lines.get(0) + " (" + (lines.size() - 1) + " more line(s) in the log)";
  }
}
