package dev.slipway.vsphere;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Content libraries over the vSphere REST API. */
public interface ContentLibrary {

  List<Library> listLibraries();

  Optional<Library> findLibrary(String name);

  /** Returns the LOCAL library {@code name}, creating it on {@code datastore} if missing. */
  Library ensureLocalLibrary(String name, DatastoreRef datastore);

  List<LibraryItem> listItems(String libraryId);

  Optional<LibraryItem> findItem(String libraryName, String itemName);

  /** Like {@link #findItem} but NOT_FOUND if the library or the item does not exist. */
  LibraryItem getItem(String libraryName, String itemName);

  /** Deletes a library item (and its files); NOT_FOUND if there is no such item. */
  void deleteItem(String itemId);

  /**
   * Creates OVF item {@code itemName} in the library and uploads {@code files} (file name to bytes;
   * exactly one {@code .ovf} descriptor plus the files it references), then completes the update
   * session. The bytes are sent before this returns; vCenter finishes the session asynchronously,
   * so the result is a local {@link TaskRef} whose result is the item id once the session is DONE.
   * Intended for tests, the local demo and small images.
   */
  TaskRef uploadOvf(String libraryId, String itemName, Map<String, byte[]> files);

  /**
   * Starts deploying an OVF library item. vCenter's REST deploy is a synchronous HTTP call, so the
   * provider runs it on its own executor and returns a local {@link TaskRef} (lost on restart;
   * re-find the VM by path). Throws NOT_FOUND at once if the item does not exist.
   */
  TaskRef deployOvf(DeploySpec spec);
}
