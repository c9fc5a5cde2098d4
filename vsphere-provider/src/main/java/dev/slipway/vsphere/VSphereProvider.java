package dev.slipway.vsphere;

import dev.slipway.vsphere.internal.DefaultVSphereProvider;
import java.util.Map;

/**
 * The only way Slipway talks to vCenter. Thread-safe. Holds one SOAP and one REST session for the
 * configured endpoint and user, logs in again once when a session is lost (vCenter restarted,
 * session expired) and retries the call, and logs out on {@link #close()}. No background threads
 * except the executor for local tasks (OVF deploys) and the thread of each {@link #watchVms} watch.
 *
 * <p>Every failure is a {@link VSphereException} with a {@link FaultKind}.
 */
public interface VSphereProvider
    extends Inventory, VirtualMachines, VmWatches, Tasks, ContentLibrary, Tagging, AutoCloseable {

  /**
   * Connects and logs in (SOAP). Throws NOT_AUTHENTICATED for wrong credentials,
   * UNTRUSTED_CERTIFICATE for a certificate that the configuration does not trust, TRANSIENT if the
   * endpoint is unreachable.
   */
  static VSphereProvider connect(VSphereConfig config) {
    return DefaultVSphereProvider.connect(config);
  }

  AboutInfo about();

  /**
   * The user and password for the next login (the current sessions stay until vCenter ends them);
   * lifts the brake a rejected login put on logging in.
   */
  void updateCredentials(String username, char[] password);

  /**
   * Calls made per vSphere method since connect: SOAP method names ({@code CloneVM_Task}) and REST
   * operations ({@code POST /com/vmware/content/library}), including failed calls and re-logins.
   */
  Map<String, Long> callCounts();

  /** Logs out of both sessions (best effort) and stops the local task executor. */
  @Override
  void close();
}
