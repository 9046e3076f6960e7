pytest_plugins = ["madoguchi.testing.fixtures"]
