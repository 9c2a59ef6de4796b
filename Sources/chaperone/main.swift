print("chaperone")
