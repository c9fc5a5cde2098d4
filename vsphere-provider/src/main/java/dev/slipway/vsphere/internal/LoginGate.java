package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials both sessions (vim25 and REST) log in with, and the brake on logging in: after
 * vCenter rejected a login, the next attempt waits {@link #FIRST_WAIT}, doubling up to {@link
 * #LONGEST_WAIT}, whatever the number of callers (at most a few attempts a minute, so a wrong or
 * rotated password does not lock the account). A call meanwhile fails at once with fault type
 * {@value #BACKED_OFF} ({@link FaultKind#NOT_AUTHENTICATED}). New credentials lift the brake.
 */
public final class LoginGate {
  private static final Logger LOG = LoggerFactory.getLogger(LoginGate.class);

  public static final String BACKED_OFF = "LoginBackedOff";
  static final Duration FIRST_WAIT = Duration.ofSeconds(15);
  static final Duration LONGEST_WAIT = Duration.ofSeconds(60);

  private final Clock clock;
  private String username;
  private char[] password;
  private Instant notBefore = Instant.EPOCH;
  private Duration nextWait = FIRST_WAIT;
  private String lastRejection = "";

  public LoginGate(String username, char[] password, Clock clock) {
    this.username = username;
    this.password = password.clone();
    this.clock = clock;
  }

  public synchronized String username() {
    return username;
  }

  /** A copy; the caller clears it after use. */
  public synchronized char[] password() {
    return password.clone();
  }

  /** Throws {@value #BACKED_OFF} while the last rejected login is too recent. */
  public synchronized void admit() {
    Instant now = clock.instant();
    if (now.isBefore(notBefore)) {
      throw new VSphereException(
          FaultKind.NOT_AUTHENTICATED,
          BACKED_OFF,
          "vCenter rejected the login of user "
              + username
              + " ("
              + lastRejection
              + "); the next attempt waits until "
              + notBefore
              + " so that the account is not locked");
    }
  }

  /** vCenter said no to these credentials: brake. */
  public synchronized void rejected(VSphereException e) {
    lastRejection = e.vcenterMessage();
    notBefore = clock.instant().plus(nextWait);
    LOG.warn(
        "vCenter rejected the login of user {}: {}; next login attempt in {} s",
        username,
        lastRejection,
        nextWait.toSeconds());
    nextWait =
        nextWait.multipliedBy(2).compareTo(LONGEST_WAIT) > 0
            ? LONGEST_WAIT
            : nextWait.multipliedBy(2);
  }

  public synchronized void succeeded() {
    notBefore = Instant.EPOCH;
    nextWait = FIRST_WAIT;
  }

  /** Credentials from a changed Secret; the next login tries them at once. */
  public synchronized void update(String newUsername, char[] newPassword) {
    Arrays.fill(password, '\0');
    username = newUsername;
    password = newPassword.clone();
    succeeded();
    LOG.info("vCenter credentials changed: the next login uses them (user {})", newUsername);
  }
}
