package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.testenv.Vcsim;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Content library over REST: create, upload an OVF, find, deploy. */
class ContentLibraryIT {

  static Vcsim vcsim;
  static VSphereProvider p;
  static Library library;
  static LibraryItem item;

  @BeforeAll
  static void setUp() {
    vcsim = Vcsim.shared();
    p = It.connect(vcsim);
    DatastoreRef ds = p.findDatastore("/DC0/datastore/LocalDS_0").orElseThrow();
    library = p.ensureLocalLibrary(It.unique("tkr"), ds);
    String itemId =
        It.awaitSuccess(
            p,
            p.uploadOvf(library.id(), "ubuntu-node", Map.of("ubuntu-node.ovf", It.minimalOvf())));
    item = new LibraryItem(itemId, library.id(), "ubuntu-node", "ovf");
  }

  @AfterAll
  static void tearDown() {
    p.close();
  }

  @Test
  void createdLibraryIsListedAndEnsureIsIdempotent() {
    assertThat(library.type()).isEqualTo("LOCAL");
    assertThat(p.listLibraries()).contains(library);
    assertThat(p.findLibrary(library.name())).contains(library);
    DatastoreRef ds = p.findDatastore("/DC0/datastore/LocalDS_0").orElseThrow();
    assertThat(p.ensureLocalLibrary(library.name(), ds)).isEqualTo(library);
    assertThat(p.findLibrary("no-such-library")).isEmpty();
  }

  @Test
  void uploadedItemIsListedAndFoundByName() {
    assertThat(p.listItems(library.id())).containsExactly(item);
    assertThat(p.findItem(library.name(), "ubuntu-node")).contains(item);
    assertThat(p.getItem(library.name(), "ubuntu-node")).isEqualTo(item);
  }

  @Test
  void aDeletedItemIsGoneAndDeletingItAgainIsNotFound() {
    DatastoreRef ds = p.findDatastore("/DC0/datastore/LocalDS_0").orElseThrow();
    Library own = p.ensureLocalLibrary(It.unique("del"), ds);
    String id =
        It.awaitSuccess(p, p.uploadOvf(own.id(), "going", Map.of("going.ovf", It.minimalOvf())));
    assertThat(p.findItem(own.name(), "going")).isPresent();

    p.deleteItem(id);

    assertThat(p.findItem(own.name(), "going")).isEmpty();
    assertThat(p.listItems(own.id())).isEmpty();
    assertThatThrownBy(() -> p.deleteItem(id))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
  }

  @Test
  void unknownItemIsNotFound() {
    assertThat(p.findItem(library.name(), "no-such-item")).isEmpty();
    assertThatThrownBy(() -> p.getItem(library.name(), "no-such-item"))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
    assertThatThrownBy(() -> p.getItem("no-such-library", "ubuntu-node"))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
    PoolRef pool = p.findResourcePool("/DC0/host/DC0_C0/Resources").orElseThrow();
    FolderRef folder = p.findFolder("/DC0/vm").orElseThrow();
    assertThatThrownBy(
            () ->
                p.deployOvf(
                    new DeploySpec(
                        "00000000-0000-0000-0000-000000000000",
                        "x",
                        pool,
                        folder,
                        Optional.empty(),
                        Map.of())))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
  }

  @Test
  void deployIntoPoolAndFolderUnderAGivenName() {
    String ns = It.unique("ns");
    FolderRef folder = p.ensureFolder("/DC0/vm", ns);
    PoolRef pool =
        p.ensureResourcePool("/DC0/host/DC0_C0/Resources", ns, new PoolLimits(4000, 8192));
    NetworkRef net = p.findNetwork("/DC0/network/DC0_DVPG0").orElseThrow();
    DatastoreRef ds = p.findDatastore("/DC0/datastore/LocalDS_0").orElseThrow();
    String name = "cp-0";

    TaskRef task =
        p.deployOvf(
            new DeploySpec(
                item.id(), name, pool, folder, Optional.of(ds), Map.of("VM Network", net)));
    assertThat(task.isLocal()).isTrue();
    VmRef vm = new VmRef(It.awaitSuccess(p, task));

    VmState s = p.vmState(vm);
    assertThat(s.name()).isEqualTo(name);
    assertThat(s.cpus()).isEqualTo(1);
    assertThat(s.memoryMiB()).isEqualTo(512);
    assertThat(s.folder()).isEqualTo(folder);
    assertThat(s.resourcePool()).isEqualTo(pool);
    assertThat(p.findVmByPath("/DC0/vm/" + ns + "/" + name)).contains(vm);

    assertThat(p.listVms(folder)).extracting(VmSummary::ref).containsExactly(vm);
    // vcsim's ImportVApp does not reject a duplicate name (vCenter does), so the operator always
    // looks a VM up by path / instance UUID before deploying; duplicates are tested on clone.
  }
}
