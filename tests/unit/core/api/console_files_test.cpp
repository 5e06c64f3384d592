#include "api/console_files.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace ccm::core {
namespace {

namespace fs = std::filesystem;

TEST(ConsoleFiles, ServesOnlyFlatNamesWithAKnownExtension) {
  EXPECT_EQ(consoleContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(consoleContentType("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(consoleContentType("console.css"), "text/css; charset=utf-8");
  EXPECT_EQ(consoleContentType("favicon.svg"), "image/svg+xml");
  for (const auto* name : {"../app.js", ".hidden.js", "a/b.js", "notes.txt", "app.js.map", "app", "", "app.JS"}) {
    EXPECT_EQ(consoleContentType(name), "") << name;
  }
}

class ConsoleDirectory : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-console-files-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const fs::path& file, const std::string& text) { std::ofstream(dir_ / file) << text; }
  fs::path dir_;
};

TEST_F(ConsoleDirectory, ReadsItsServableFilesOnly) {
  write("index.html", "<!doctype html>");
  write("app.js", "export {};");
  write(".env.js", "secret");
  write("README.txt", "text");
  write("sub/deep.js", "deep");
  const auto files = ConsoleFiles::load(dir_);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files.value().size(), 2u);
  ASSERT_NE(files.value().find("app.js"), nullptr);
  EXPECT_EQ(files.value().find("app.js")->body, "export {};");
  EXPECT_EQ(files.value().find(".env.js"), nullptr);
  EXPECT_EQ(files.value().find("deep.js"), nullptr);
}

TEST_F(ConsoleDirectory, ADirectoryWithoutIndexIsRefusedByName) {
  write("app.js", "export {};");
  const auto files = ConsoleFiles::load(dir_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message, dir_.string() + ": has no index.html (the console's files)");
  EXPECT_EQ(ConsoleFiles::load(dir_ / "missing").error().message,
            (dir_ / "missing").string() + ": not a directory (the console's files)");
}

}  // namespace
}  // namespace ccm::core
