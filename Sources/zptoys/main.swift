print("zptoys")
