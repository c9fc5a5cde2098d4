package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.testenv.Vcsim;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Inventory paths, namespace folders and resource pools, and the delete guard. */
class InventoryIT {

  static final String ROOT_POOL = "/DC0/host/DC0_C0/Resources";
  static Vcsim vcsim;
  static VSphereProvider p;

  @BeforeAll
  static void setUp() {
    vcsim = Vcsim.shared();
    p = It.connect(vcsim);
  }

  @AfterAll
  static void tearDown() {
    p.close();
  }

  private static void assertKind(Runnable r, FaultKind kind) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(VSphereException.class, e -> assertThat(e.kind()).isEqualTo(kind));
  }

  @Test
  void resolvesEveryKindOfObjectByPath() {
    assertThat(p.findDatacenter("/DC0")).get().extracting(DatacenterRef::moref).isNotNull();
    assertThat(p.findCluster("/DC0/host/DC0_C0")).isPresent();
    assertThat(p.findResourcePool(ROOT_POOL)).isPresent();
    assertThat(p.findDatastore("/DC0/datastore/LocalDS_0")).isPresent();
    assertThat(p.findNetwork("/DC0/network/VM Network"))
        .get()
        .extracting(NetworkRef::type)
        .isEqualTo("Network");
    assertThat(p.findNetwork("/DC0/network/DC0_DVPG0"))
        .get()
        .extracting(NetworkRef::type)
        .isEqualTo("DistributedVirtualPortgroup");
    assertThat(p.findFolder("/DC0/vm")).isPresent();
    assertThat(p.findFolder("DC0/vm/")).isEqualTo(p.findFolder("/DC0/vm"));

    assertThat(p.findDatacenter("/NoSuchDC")).isEmpty();
    assertThat(p.findFolder("/DC0/vm/no-such-folder")).isEmpty();
    assertKind(() -> p.findFolder("/DC0/host/DC0_C0"), FaultKind.INVALID_ARGUMENT);
  }

  @Test
  void ensureFolderIsIdempotentAndMarksWhatItCreates() {
    String name = It.unique("ns");
    FolderRef f = p.ensureFolder("/DC0/vm", name);
    assertThat(p.ensureFolder("/DC0/vm", name)).isEqualTo(f);
    assertThat(p.findFolder("/DC0/vm/" + name)).contains(f);
    assertThat(p.isManaged(f)).isTrue();

    FolderRef child = p.ensureFolder("/DC0/vm/" + name, "machines");
    assertThat(p.findFolder("/DC0/vm/" + name + "/machines")).contains(child);
    assertKind(() -> p.ensureFolder("/DC0/vm/no-such-parent", "x"), FaultKind.NOT_FOUND);
  }

  @Test
  void ensureResourcePoolIsIdempotentAndLimitsCanBeUpdated() {
    String name = It.unique("ns");
    PoolRef pool = p.ensureResourcePool(ROOT_POOL, name, new PoolLimits(2000, 4096));
    assertThat(p.ensureResourcePool(ROOT_POOL, name, PoolLimits.unlimited())).isEqualTo(pool);
    assertThat(p.findResourcePool(ROOT_POOL + "/" + name)).contains(pool);
    assertThat(p.isManaged(pool)).isTrue();
    assertThat(p.poolLimits(pool)).isEqualTo(new PoolLimits(2000, 4096));

    p.updatePoolLimits(pool, new PoolLimits(8000, PoolLimits.UNLIMITED));
    assertThat(p.poolLimits(pool)).isEqualTo(new PoolLimits(8000, -1));
  }

  @Test
  void deletesEmptyManagedFolderAndPool() {
    String name = It.unique("gone");
    FolderRef f = p.ensureFolder("/DC0/vm", name);
    PoolRef pool = p.ensureResourcePool(ROOT_POOL, name, PoolLimits.unlimited());

    It.awaitSuccess(p, p.deleteFolder(f));
    It.awaitSuccess(p, p.deleteResourcePool(pool));

    assertThat(p.findFolder("/DC0/vm/" + name)).isEmpty();
    assertThat(p.findResourcePool(ROOT_POOL + "/" + name)).isEmpty();
    assertKind(() -> p.deleteFolder(f), FaultKind.NOT_FOUND);
  }

  @Test
  void refusesToDeleteNonEmptyFolderOrPool() {
    String name = It.unique("busy");
    FolderRef f = p.ensureFolder("/DC0/vm", name);
    p.ensureFolder("/DC0/vm/" + name, "inner");
    PoolRef pool = p.ensureResourcePool(ROOT_POOL, name, PoolLimits.unlimited());
    p.ensureResourcePool(ROOT_POOL + "/" + name, "inner", PoolLimits.unlimited());

    assertKind(() -> p.deleteFolder(f), FaultKind.IN_USE);
    assertKind(() -> p.deleteResourcePool(pool), FaultKind.IN_USE);
    assertThat(p.findFolder("/DC0/vm/" + name)).contains(f);
  }

  @Test
  void refusesToDeleteWhatSlipwayDidNotCreate() {
    FolderRef vmFolder = p.findFolder("/DC0/vm").orElseThrow();
    assertThat(p.isManaged(vmFolder)).isFalse();
    assertKind(() -> p.deleteFolder(vmFolder), FaultKind.NOT_MANAGED);

    // Created by another client (govc): empty, but not Slipway's.
    String name = It.unique("foreign");
    It.govc(vcsim, "folder.create", "/DC0/vm/" + name);
    FolderRef foreign = p.findFolder("/DC0/vm/" + name).orElseThrow();
    assertKind(() -> p.deleteFolder(foreign), FaultKind.NOT_MANAGED);
    // ensureFolder adopts an existing folder but does not mark it as Slipway's.
    assertThat(p.ensureFolder("/DC0/vm", name)).isEqualTo(foreign);
    assertThat(p.isManaged(foreign)).isFalse();

    PoolRef root = p.findResourcePool(ROOT_POOL).orElseThrow();
    assertKind(() -> p.deleteResourcePool(root), FaultKind.NOT_MANAGED);
    assertThat(p.findFolder("/DC0/vm/" + name)).isEqualTo(Optional.of(foreign));
  }
}
