package dev.slipway.demo;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * {@code %oneline} in logback-demo.xml: the message as one clean line ({@link ConsoleText}), with
 * the message of an attached exception but never its stack trace, which goes to the log file.
 */
public final class OneLineMessage extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    String message = ConsoleText.oneLine(event.getFormattedMessage());
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      String cause = ConsoleText.oneLine(thrown.getMessage());
      if (!cause.isEmpty() && !message.contains(cause)) {
        message = message.isEmpty() ? cause : message + ": " + cause;
      }
    }
    return message;
  }
}
