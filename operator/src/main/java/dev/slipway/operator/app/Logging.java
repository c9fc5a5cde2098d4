package dev.slipway.operator.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** Sets up Logback for the process: {@code text} (default) or {@code json}, to standard output. */
final class Logging {
  private Logging() {}

  /**
   * Replaces whatever Logback configured itself with. A user's own {@code
   * -Dlogback.configurationFile} wins: then nothing is changed.
   */
  static void configure(String format) {
    if (System.getProperty("logback.configurationFile") != null) {
      return;
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    URL config = Logging.class.getResource("logback-" + format + ".xml");
    if (config == null) {
      throw new IllegalArgumentException("no log format " + format);
    }
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure logging from " + config, e);
    }
  }
}
