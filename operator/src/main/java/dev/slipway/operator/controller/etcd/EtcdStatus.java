package dev.slipway.operator.controller.etcd;

/** What one etcd member says about itself: its ID, the leader it follows, its version. */
public record EtcdStatus(long memberId, long leaderId, String version, boolean learner) {}
