#include "app/gateway_application.hpp"

int main(int argc, char** argv) {
  ccm::core::GatewayApplication app;
  return app.run(argc, argv);
}
