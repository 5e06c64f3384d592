#include "engine/port_allocator.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace ccm::core {
namespace {

const std::vector<sdk::SmartAnnotation> kLab{
    {"sw1", "serial", 5041, "sw1/serial:5041"},
    {"r1", "serial", 5042, "r1/serial:5042"},
    {"desktop", "vnc", 5901, "desktop/vnc:5901"},
};

Worker workerWithRange(std::uint16_t start, std::uint16_t end) {
  Worker worker;
  worker.id = "w1";
  worker.state = WorkerState::Running;
  worker.port_range_start = start;
  worker.port_range_end = end;
  return worker;
}

TEST(PortAllocator, GivesLowestPortsInAnnotationOrder) {
  auto result = allocatePorts(kLab, workerWithRange(5000, 5999), {});
  ASSERT_TRUE(result) << result.error().message;
  const PortAllocation expected{{"sw1/serial:5041", 5000}, {"r1/serial:5042", 5001}, {"desktop/vnc:5901", 5002}};
  EXPECT_EQ(result.value(), expected);
}

TEST(PortAllocator, SkipsPortsInUse) {
  auto result = allocatePorts(kLab, workerWithRange(5000, 5999), {5000, 5002, 5003, 4999, 6000});
  ASSERT_TRUE(result) << result.error().message;
  const PortAllocation expected{{"sw1/serial:5041", 5001}, {"r1/serial:5042", 5004}, {"desktop/vnc:5901", 5005}};
  EXPECT_EQ(result.value(), expected);
}

TEST(PortAllocator, UsesBothEndsOfTheRange) {
  auto result = allocatePorts(kLab, workerWithRange(5000, 5003), {5001});
  ASSERT_TRUE(result) << result.error().message;
  const PortAllocation expected{{"sw1/serial:5041", 5000}, {"r1/serial:5042", 5002}, {"desktop/vnc:5901", 5003}};
  EXPECT_EQ(result.value(), expected);
}

TEST(PortAllocator, RangeEndingAtTheLastPortDoesNotWrap) {
  auto result = allocatePorts(kLab, workerWithRange(65533, 65535), {});
  ASSERT_TRUE(result) << result.error().message;
  const PortAllocation expected{{"sw1/serial:5041", 65533}, {"r1/serial:5042", 65534}, {"desktop/vnc:5901", 65535}};
  EXPECT_EQ(result.value(), expected);
}

TEST(PortAllocator, ExhaustedRangeSaysHowManyAreFreeAndNeeded) {
  std::set<std::uint16_t> in_use;
  for (unsigned port = 5000; port <= 5997; ++port) in_use.insert(static_cast<std::uint16_t>(port));
  auto result = allocatePorts(kLab, workerWithRange(5000, 5999), in_use);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().where, "allocated_ports");
  EXPECT_EQ(result.error().message, "worker w1 has 2 free ports in 5000-5999, the lab needs 3");
}

TEST(PortAllocator, RangeSmallerThanTheLabIsRefused) {
  auto result = allocatePorts(kLab, workerWithRange(7000, 7001), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "worker w1 has 2 free ports in 7000-7001, the lab needs 3");
}

TEST(PortAllocator, EmptyRangeIsRefused) {
  auto result = allocatePorts(kLab, workerWithRange(6000, 5999), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "worker w1 has an empty port range 6000-5999");
}

TEST(PortAllocator, PortZeroIsNeverGiven) {
  auto result = allocatePorts({kLab[0]}, workerWithRange(0, 10), {});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result.value().at("sw1/serial:5041"), 1);
}

TEST(PortAllocator, LabWithoutAnnotationsGetsNoPorts) {
  auto result = allocatePorts({}, workerWithRange(5000, 5000), {5000});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result.value().empty());
}

TEST(PortAllocator, SameInputsGiveTheSameAllocation) {
  const std::set<std::uint16_t> in_use{5001, 5003};
  auto first = allocatePorts(kLab, workerWithRange(5000, 5999), in_use);
  auto second = allocatePorts(kLab, workerWithRange(5000, 5999), in_use);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(first.value(), second.value());
}

TEST(PortAllocator, DuplicateKeyIsRefused) {
  auto result = allocatePorts({kLab[0], kLab[1], kLab[0]}, workerWithRange(5000, 5999), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "smart annotation \"sw1/serial:5041\" appears twice");
}

}  // namespace
}  // namespace ccm::core
